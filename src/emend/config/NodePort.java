package emend.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a node serves one of its HTTP endpoints: {@code emend.runtime.NAME-host}, {@code NAME-port} and
 * {@code NAME-role-ports} for NAME = metrics (Prometheus) and management (Pekko Management's health endpoints). By
 * default a node's port is its role's (learner, rollout, verifier: the first of its roles in that order), so a static
 * scrape or probe config can name every node of a deployment; a port set on purpose is taken as is.
 *
 * @param name the endpoint's name in the keys
 * @param port the port set, or {@link #BY_ROLE} for the role's port
 * @param rolePorts each role's port
 */
public record NodePort(String name, String host, int port, Map<String, Integer> rolePorts) {

    /** The port comes from the node's role. */
    public static final int BY_ROLE = -2;
    private static final List<String> ROLE_ORDER = List.of("learner", "rollout", "verifier");

    /**
     * The port a node binds.
     *
     * @param port -1 off, 0 any free port, else that port
     * @param fallBackToFree the port is a role's default: if another process holds it (two nodes of a role on one
     *     machine), the node takes a free port instead; a port set on purpose is never swapped
     */
    public record Binding(int port, boolean fallBackToFree) {
        public boolean off() {
            return port < 0;
        }
    }

    public NodePort {
        if (port < BY_ROLE || port > 65_535) {
            throw new IllegalArgumentException("emend.runtime." + name + "-port must be \"by-role\", a TCP port, 0 (any free port) or -1 (off), got "
                    + port);
        }
        for (String role : ROLE_ORDER) {
            Integer rolePort = rolePorts.get(role);
            if (rolePort == null || rolePort < 1 || rolePort > 65_535) {
                throw new IllegalArgumentException("emend.runtime." + name + "-role-ports." + role + " must be a TCP port (1-65535), got " + rolePort);
            }
        }
        rolePorts = Map.copyOf(rolePorts);
    }

    /** Reads {@code NAME-host}, {@code NAME-port} and {@code NAME-role-ports} from {@code emend.runtime}. */
    public static NodePort fromConfig(Config runtime, String name) {
        String portKey = name + "-port";
        int port = runtime.getValue(portKey).valueType() == ConfigValueType.STRING && runtime.getString(portKey).equals("by-role")
                ? BY_ROLE : runtime.getInt(portKey);
        Map<String, Integer> rolePorts = new TreeMap<>();
        Config roles = runtime.getConfig(name + "-role-ports");
        roles.root().keySet().forEach(role -> rolePorts.put(role, roles.getInt(role)));
        return new NodePort(name, runtime.getString(name + "-host"), port, rolePorts);
    }

    /** The binding of a node with {@code roles}. */
    public Binding bindingFor(Set<String> roles) {
        if (port != BY_ROLE) {
            return new Binding(port, false);
        }
        String role = ROLE_ORDER.stream().filter(roles::contains).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("a node needs one of the roles " + ROLE_ORDER + ", got " + roles));
        return new Binding(rolePorts.get(role), true);
    }
}
