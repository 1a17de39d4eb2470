package emend.testing;

import com.typesafe.config.ConfigFactory;
import emend.actors.node.EmendNode;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/** The cluster nodes of one test (ActorSystems over Artery on 127.0.0.1), all terminated on close. */
public final class TestNodes implements AutoCloseable {

    private final List<ActorSystem<Void>> nodes = new ArrayList<>();

    public ActorSystem<Void> start(EmendNode.Plan plan) {
        // many nodes start at once here: Pekko Management on any free port, not on the roles' fixed ones
        NodeOptions o = plan.options();
        NodeOptions options = new NodeOptions(o.roles(), o.host(), o.port(), o.seeds(), o.workers(),
                ConfigFactory.parseMap(Map.of("emend.runtime.management-port", 0)).withFallback(o.runLayer()));
        ActorSystem<Void> node = ActorSystem.create(EmendNode.create(plan), NodeConfig.SYSTEM_NAME, NodeConfig.of(options, plan.runtime().tls()));
        nodes.add(node);
        return node;
    }

    @Override
    public void close() throws Exception {
        for (ActorSystem<Void> node : nodes) {
            node.terminate();
        }
        for (ActorSystem<Void> node : nodes) {
            node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
