package emend.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the control endpoint ({@code emend.control}; cluster-config/reference.conf documents each key).
 *
 * @param host the address the endpoint binds to
 * @param port its TCP port; 0 = any free port
 * @param token the shared secret (emend.control.token, else {@value #TOKEN_VARIABLE}); blank = generate one per start (see
 *     {@link ControlToken#resolve})
 * @param timeout how long the endpoint waits for the run to answer before replying UNAVAILABLE
 */
public record ControlSettings(String host, int port, String token, Duration timeout) {

    /**
     * The environment variable that carries the token, for the server (when emend.control.token is not set) and for
     * {@code emend ctl}: unlike {@code --set emend.control.token=...}, it does not show in the process list.
     */
    public static final String TOKEN_VARIABLE = "EMEND_CONTROL_TOKEN";

    public ControlSettings {
        if (host.isBlank()) {
            throw new IllegalArgumentException("emend.control.host must name an address to bind, e.g. 127.0.0.1 or 0.0.0.0");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("emend.control.port must be 0..65535 (0 = any free port), got " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("emend.control.timeout must be positive, got " + timeout);
        }
    }

    public static ControlSettings fromConfig(Config root) {
        return fromConfig(root, System.getenv());
    }

    /** @param environment where {@value #TOKEN_VARIABLE} is looked up when the configuration sets no token */
    public static ControlSettings fromConfig(Config root, java.util.Map<String, String> environment) {
        try {
            Config c = root.getConfig("emend.control");
            String token = c.getString("token");
            if (token.isBlank()) {
                token = environment.getOrDefault(TOKEN_VARIABLE, "").strip();
            }
            return new ControlSettings(c.getString("host"), c.getInt("port"), token, c.getDuration("timeout"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration error: " + e.getMessage()
                    + " (see cluster-config/reference.conf for every key and its meaning)", e);
        }
    }

    /** Keeps the secret out of logs and error messages that print the settings. */
    @Override
    public String toString() {
        return "ControlSettings[host=" + host + ", port=" + port + ", token=" + (token.isBlank() ? "(generate)" : "(set)")
                + ", timeout=" + timeout + "]";
    }
}
