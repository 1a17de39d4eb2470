package emend.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.Locale;

/**
 * One {@code --set KEY=VALUE}: the key must be a path and the value exactly one HOCON value, so a value cannot
 * smuggle in other keys (a newline followed by {@code emend.x = ...}) or include a file.
 */
final class SettingOverride {

    private static final String SLOT = "value";

    private SettingOverride() {}

    /**
     * @throws IllegalArgumentException naming the key (never the value of a secret) and the fix
     */
    static ConfigValue value(String key, String text) {
        try {
            ConfigUtil.splitPath(key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--set " + key + ": '" + key + "' is not a settings key; keys look like emend.rl.alpha", e);
        }
        String shown = secret(key) ? "(the value, not shown)" : "'" + text + "'";
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("--set " + key + ": " + shown + " spans several lines; give one value per --set");
        }
        ConfigObject parsed;
        try {
            parsed = ConfigFactory.parseString(SLOT + " = " + text).root();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--set " + key + ": " + shown + " is not a HOCON value (quote text with \"...\", "
                    + "lists look like [\"stage1:10\",\"stage2:20\"])", e);
        }
        if (parsed.size() != 1 || !parsed.containsKey(SLOT)) {
            throw new IllegalArgumentException("--set " + key + ": " + shown + " is more than one value (a newline or a second key); "
                    + "give one value per --set");
        }
        return parsed.get(SLOT);
    }

    /** Keys whose values never appear in a message: the control token and anything else named like a secret. */
    static boolean secret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("token") || lower.contains("password") || lower.contains("secret");
    }
}
