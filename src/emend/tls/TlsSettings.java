package emend.tls;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * This node's TLS identity ({@code emend.runtime.tls}; cluster-config/reference.conf documents the keys): the
 * directory holding the cluster's {@code ca.crt} and the node's {@code NAME.key} and {@code NAME.crt}. Off when the
 * directory is empty. Artery reads the files itself; the weight stream, the control endpoint and ctl use
 * {@link #context()}, which trusts the cluster's CA and nothing else.
 *
 * <p>A peer's identity is its membership: any certificate the CA signed is accepted, whatever host name it was
 * reached at (node certificates name nodes, not addresses), as Artery's own check does.
 *
 * @param dir the directory, or "" for plain TCP
 * @param name this node's certificate name ({@code emend cert node DIR NAME})
 */
public record TlsSettings(String dir, String name) {

    public static final TlsSettings OFF = new TlsSettings("", "");

    // One context per identity and JVM: building it reads and checks three files.
    private static final Map<TlsSettings, SSLContext> CONTEXTS = new ConcurrentHashMap<>();
    // The key store lives in memory only; its password protects nothing.
    private static final char[] IN_MEMORY = "emend".toCharArray();

    public TlsSettings {
        if (dir.isBlank() != name.isBlank()) {
            throw new IllegalArgumentException("TLS needs both emend.runtime.tls.dir and emend.runtime.tls.name (--tls DIR --tls-name NAME), "
                    + "or neither; got dir '" + dir + "' and name '" + name + "'");
        }
        if (!name.isBlank()) {
            TlsFiles.checkName(name);
        }
    }

    /** @param tls the {@code emend.runtime.tls} block */
    public static TlsSettings fromConfig(Config tls) {
        return new TlsSettings(tls.getString("dir"), tls.getString("name"));
    }

    public boolean enabled() {
        return !dir.isBlank();
    }

    public Path keyFile() {
        return TlsFiles.key(directory(), name);
    }

    public Path certFile() {
        return TlsFiles.cert(directory(), name);
    }

    public Path caFile() {
        return TlsFiles.caCert(directory());
    }

    /** Plain sockets when TLS is off; else TLS sockets of {@link #context()} (servers must require client certificates). */
    public ServerSocketFactory serverSockets() {
        return enabled() ? context().getServerSocketFactory() : ServerSocketFactory.getDefault();
    }

    public SocketFactory sockets() {
        return enabled() ? context().getSocketFactory() : SocketFactory.getDefault();
    }

    /**
     * A context presenting this node's certificate and trusting only the cluster's CA.
     *
     * @throws IllegalArgumentException naming the file and the fix when one is missing, broken, or not signed by the CA
     */
    public SSLContext context() {
        if (!enabled()) {
            throw new IllegalStateException("TLS is off (emend.runtime.tls.dir is empty)");
        }
        return CONTEXTS.computeIfAbsent(this, TlsSettings::build);
    }

    private SSLContext build() {
        String fix = "; make it with `emend cert node " + dir + " " + name + "` where the CA is (`emend cert init DIR` makes one) and copy "
                + "ca.crt, " + name + ".crt and " + name + ".key into " + dir + " on this node";
        PrivateKey key;
        X509Certificate cert;
        X509Certificate ca;
        try {
            key = Pem.privateKey(keyFile());
            cert = Pem.certificate(certFile());
            ca = Pem.certificate(caFile());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + fix, e);
        }
        try {
            cert.verify(ca.getPublicKey());
            cert.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(certFile() + " is not a valid certificate of the CA in " + caFile() + " (" + e.getMessage()
                    + ")" + fix, e);
        }
        try {
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry("node", key, IN_MEMORY, new Certificate[] {cert, ca});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, IN_MEMORY);
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            anchors.setCertificateEntry("ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), new TrustManager[] {new CaMembership((X509ExtendedTrustManager) trust.getTrustManagers()[0])}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context from " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path directory() {
        return Path.of(dir).toAbsolutePath().normalize();
    }

    /**
     * The PKIX checks of the CA's trust manager without host-name identification: HTTPS clients (ctl) ask for it by
     * default, but a node certificate names the node, not the address ctl was given.
     */
    private static final class CaMembership extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager pkix;

        CaMembership(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }
    }
}
