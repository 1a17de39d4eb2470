package emend.actors;

import emend.actors.protocol.VerifierProtocol;
import emend.actors.protocol.NodeProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.wire.WireSerializer;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.NodeStatus;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.RunStatus;
import emend.proto.RuntimeStatus;
import emend.proto.ScaleWorkers;
import emend.proto.SetParameter;
import emend.proto.StatusQuery;
import emend.proto.StatusRequest;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message that crosses a JVM goes through Pekko's serialization as protobuf and comes back equal. */
final class WireSerializerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void everyWireMessage_roundTripsThroughPekkoSerialization() {
        TestProbe<LearnerProtocol.ToWorker> worker = KIT.createTestProbe();
        TestProbe<LearnerProtocol.Status> status = KIT.createTestProbe();
        TestProbe<VerifierProtocol.Verified> verified = KIT.createTestProbe();
        TestProbe<LearnerProtocol.ControlResponse> control = KIT.createTestProbe();
        TestProbe<NodeProtocol.NodeReply> node = KIT.createTestProbe();
        NodeStatus nodeStatus = NodeStatus.newBuilder().setAddress("pekko://emend@127.0.0.1:25521").addRoles("rollout").setRolloutWorkers(2)
                .setState("UP").build();
        WeightManifest manifest = WeightManifest.newBuilder().setVersion(3).setByteSize(10).setChunkCount(1).setChunkBytes(10)
                .setSha256("ab").setModelConfigJson("{}").setEncoding("f32le-v1").build();
        List<Object> messages = List.of(
                new LearnerProtocol.Hello(WorkerHello.newBuilder().setWorkerId("n/rollout-1").setDevice("cpu").build(), worker.ref()),
                new LearnerProtocol.RequestWork(WorkRequest.newBuilder().setWorkerId("w").setCapacity(4).setPolicyVersion(2).build(), worker.ref()),
                new LearnerProtocol.Submit(GroupResult.newBuilder().setLeaseId(9).addTrajectories(emend.proto.Trajectory.newBuilder()
                        .setId("1/2/0").addAttemptOne(5).addLogProbsOne(-0.5f)).build(), worker.ref()),
                new LearnerProtocol.FetchChunk(WeightChunkRequest.newBuilder().setVersion(3).setIndex(0).build(), worker.ref()),
                new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), status.ref()),
                new LearnerProtocol.Status(RuntimeStatus.newBuilder().setPromptsDispatched(5).setPromptsCompleted(4).setPromptsInFlight(1).build()),
                new LearnerProtocol.Spec(RunSpec.newBuilder().setRunSeed(1).setInstruction("fix it").setManifest(manifest).build()),
                new LearnerProtocol.Grant(LeaseGrant.newBuilder().addLeases(PromptLease.newBuilder().setLeaseId(4).setQuestion("q")).build()),
                new LearnerProtocol.Ack(GroupAck.newBuilder().setLeaseId(4).setOutcome(GroupAck.Outcome.STALE).build()),
                new LearnerProtocol.NewVersion(manifest),
                new LearnerProtocol.Chunk(WeightChunk.newBuilder().setVersion(3).setData(com.google.protobuf.ByteString.copyFromUtf8("xyz")).build()),
                new VerifierProtocol.Verify(VerifyRequest.newBuilder().setTask("linear").addAttempts("x=3").build(), verified.ref()),
                new VerifierProtocol.Verified(VerifyResult.newBuilder().addScores(1).addScores(0).build()),
                new LearnerProtocol.Control(ControlRequest.newBuilder().setSet(SetParameter.newBuilder().setKey("alpha").setValue("5")).build(), control.ref()),
                new LearnerProtocol.ControlResponse(ControlReply.newBuilder().setCode(ControlReply.Code.OK).setStatus(RunStatus.newBuilder()
                        .setStepsDone(3).addNodes(nodeStatus).putParameters("alpha", "5")).build()),
                new NodeProtocol.Describe(StatusQuery.getDefaultInstance(), node.ref()),
                new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(3).setNode("127.0.0.1:25521").build(), node.ref()),
                new NodeProtocol.Drain(DrainNode.newBuilder().setNode("127.0.0.1:25521").build(), node.ref()),
                new NodeProtocol.NodeReply(nodeStatus));
        SerializationTestKit serialization = new SerializationTestKit(KIT.system());
        Serialization pekko = SerializationExtension.get(KIT.system().classicSystem());
        for (Object message : messages) {
            assertInstanceOf(WireSerializer.class, pekko.findSerializerFor(message), message.getClass().getName());
            assertEquals(message, serialization.verifySerialization(message, true));
        }
    }

    @Test
    void malformedBytes_failWithANamedError() throws Exception {
        Serialization pekko = SerializationExtension.get(KIT.system().classicSystem());
        var serializer = (WireSerializer) pekko.serializerFor(LearnerProtocol.Submit.class);
        NotSerializableException e = assertThrows(NotSerializableException.class,
                () -> serializer.fromBinary(new byte[] {18, 3, 8, (byte) 0xff, (byte) 0xff}, "L.Submit"));
        assertEquals(true, e.getMessage().contains("L.Submit"), e.getMessage());
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "L.Unknown"));
        assertEquals("L.Submit", Serializers.manifestFor(serializer, new LearnerProtocol.Submit(GroupResult.getDefaultInstance(), null)));
    }
}
