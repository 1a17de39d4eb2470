package emend.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority in a directory: {@code ca.key} and {@code ca.crt} (self-signed), and the node
 * certificates it signs, {@code NAME.key} and {@code NAME.crt}. PEM files; keys readable by their owner only.
 *
 * <p>RSA keys in PKCS#8, because Pekko's RotatingKeysSSLEngineProvider reads nothing else (no EC keys). Every node
 * certificate carries the subject name {@value #CLUSTER_NAME} as well as its own: that provider admits a peer only
 * when the two certificates share a subject name, on top of the CA's signature.
 */
public final class ClusterCa {

    /** The subject alternative name every node certificate of every Emend cluster carries. */
    public static final String CLUSTER_NAME = "emend-cluster";

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration NODE_VALIDITY = Duration.ofDays(825);
    private static final String SIGNATURE = "SHA256withRSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterCa() {}

    /**
     * Makes a new CA in {@code dir} (created if missing, readable by its owner only).
     *
     * @throws IllegalArgumentException when {@code dir} already holds a CA: a second one would orphan every node
     *     certificate the first signed
     */
    public static void init(Path dir) {
        Path key = TlsFiles.caKey(dir);
        if (Files.exists(key) || Files.exists(TlsFiles.caCert(dir))) {
            throw new IllegalArgumentException(dir + " already holds a cluster CA (" + key.getFileName() + "); issue node certificates "
                    + "from it with `emend cert node " + dir + " NAME`, or choose a new directory for a new cluster");
        }
        createPrivateDirectory(dir);
        KeyPair pair = rsa(3072);
        X500Name subject = new X500Name("CN=Emend cluster CA " + HexFormat.of().formatHex(randomBytes(4)));
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, pair, CA_VALIDITY)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            writePrivate(key, pem(pair.getPrivate()));
            Files.writeString(TlsFiles.caCert(dir), pem(sign(builder, pair.getPrivate())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CA into " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot build the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code NAME.key} and {@code NAME.crt} in {@code dir}, signed by the CA there.
     *
     * @param name the node's name (letters, digits, '.', '-'), its certificate's CN and subject alternative name
     */
    public static void issue(Path dir, String name) {
        TlsFiles.checkName(name);
        Path keyFile = TlsFiles.key(dir, name);
        if (Files.exists(keyFile) || Files.exists(TlsFiles.cert(dir, name))) {
            throw new IllegalArgumentException(dir + " already holds a certificate for " + name + "; choose another name, or delete "
                    + name + ".key and " + name + ".crt first to replace it");
        }
        PrivateKey caKey = Pem.privateKey(TlsFiles.caKey(dir));
        X509Certificate ca = Pem.certificate(TlsFiles.caCert(dir));
        KeyPair pair = rsa(2048);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            GeneralNames names = new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, name), new GeneralName(GeneralName.dNSName, CLUSTER_NAME)});
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=" + name), pair, NODE_VALIDITY)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    // a node is a server to the nodes that connect to it and a client of those it connects to
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, names)
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
            writePrivate(keyFile, pem(pair.getPrivate()));
            Files.writeString(TlsFiles.cert(dir, name), pem(sign(builder, caKey)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate of " + name + " into " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot build the node certificate: " + e.getMessage(), e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
        Instant now = Instant.now();
        // a little back-dating tolerates clocks a few minutes apart across the cluster
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(validity)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make RSA keys: " + e.getMessage(), e);
        }
    }

    /** PEM text; a private key as unencrypted PKCS#8 ("PRIVATE KEY"). */
    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return text.toString();
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Created with owner-only permissions, so the key is never readable by others, not even for a moment. */
    private static void writePrivate(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(file + " already exists; it is not overwritten", e);
        }
        Files.writeString(file, text, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
