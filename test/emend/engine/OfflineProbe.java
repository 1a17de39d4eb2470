package emend.engine;

import ai.djl.ndarray.NDManager;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a child JVM by {@link OfflineEngineTest}: records every connection Java attempts (URL opens and
 * sockets, which consult the default ProxySelector) while the engine starts and a model generates, and exits
 * non-zero if there was any.
 */
public final class OfflineProbe {

    private static final List<String> ATTEMPTS = new CopyOnWriteArrayList<>();

    public static void main(String[] args) {
        URL.setURLStreamHandlerFactory(protocol -> protocol.equals("http") || protocol.equals("https") || protocol.equals("ftp")
                ? new URLStreamHandler() {
                    @Override
                    protected URLConnection openConnection(URL u) throws IOException {
                        ATTEMPTS.add(u.toString());
                        throw new IOException("network access forbidden in the offline probe: " + u);
                    }
                }
                : null);
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                ATTEMPTS.add(uri.toString());
                throw new IllegalStateException("network access forbidden in the offline probe: " + uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException e) {}
        });
        DjlRuntime.configureOffline();
        try (NDManager manager = DjlRuntime.engine().newBaseManager();
             Weights weights = Weights.initialize(ModelConfig.tiny(261, 64), 1, manager)) {
            int generated = new Generator(new Transformer(weights), 0)
                    .generate(List.of(new int[] {1, 10, 11}), new long[] {1}, SamplingConfig.sampled(1.0, 8, -1))
                    .get(0).length();
            System.out.println("generated " + generated + " tokens; network attempts: " + ATTEMPTS.size() + " " + ATTEMPTS);
        }
        System.exit(ATTEMPTS.isEmpty() ? 0 : 3);
    }
}
