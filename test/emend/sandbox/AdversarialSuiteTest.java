package emend.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emend.sandbox.AdversarialCandidates.Attack;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every adversarial candidate scores 0 within the timeout plus one second, leaves no process behind and leaves
 * the host's files as they were. The candidates run a few at a time before the checks (the suite is mostly
 * waiting on timeouts); each check then reports on one candidate, and the summary line goes to stdout.
 */
final class AdversarialSuiteTest {

    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final int PARALLEL = 3;
    private static final String CANARY_TEXT = "canary";

    @TempDir
    static Path hostDir;

    private static final PythonSandbox SANDBOX = TestSandboxes.shortLimits();
    private static final Map<String, Outcome> OUTCOMES = new ConcurrentHashMap<>();
    private static final AtomicInteger TCP_CONNECTIONS = new AtomicInteger();
    private static final AtomicInteger UNIX_CONNECTIONS = new AtomicInteger();
    private static ServerSocket tcp;
    private static DatagramSocket udp;
    private static ServerSocketChannel unix;
    private static Map<String, String> harnessBefore;

    /** What one candidate did: its result, and what the host looked like right after. */
    private record Outcome(SandboxResult result, Duration elapsed, List<String> leftBehind, String hostDamage) {}

    static Stream<Attack> attacks() {
        return AdversarialCandidates.all().stream();
    }

    @BeforeAll
    static void runEveryCandidate() throws Exception {
        harnessBefore = digests(HarnessFiles.folder());
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(UnixDomainSocketAddress.of(hostDir.resolve("host.sock")));
        Thread acceptTcp = new Thread(() -> acceptForever(() -> tcp.accept().close(), TCP_CONNECTIONS), "tcp-listener");
        Thread acceptUnix = new Thread(() -> acceptForever(() -> unix.accept().close(), UNIX_CONNECTIONS), "unix-listener");
        acceptTcp.setDaemon(true);
        acceptUnix.setDaemon(true);
        acceptTcp.start();
        acceptUnix.start();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Attack attack : AdversarialCandidates.all()) {
                futures.add(pool.submit(() -> OUTCOMES.put(attack.name(), attack(attack))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Accept {
        void once() throws IOException;
    }

    private static void acceptForever(Accept accept, AtomicInteger count) {
        while (true) {
            try {
                accept.once();
                count.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static Outcome attack(Attack attack) throws IOException, InterruptedException {
        Path dir = Files.createDirectory(hostDir.resolve(attack.name().replaceAll("[^A-Za-z0-9]+", "-")));
        Path canary = Files.writeString(dir.resolve("canary.txt"), CANARY_TEXT);
        Path secret = Files.writeString(dir.resolve("secret.txt"), "SECRET " + UUID.randomUUID());
        String marker = "emend-marker-" + UUID.randomUUID();
        String program = attack.program()
                .replace("{canary}", canary.toString())
                .replace("{secret}", secret.toString())
                .replace("{socket}", hostDir.resolve("host.sock").toString())
                .replace("{port}", Integer.toString(tcp.getLocalPort()))
                .replace("{udp}", Integer.toString(udp.getLocalPort()))
                .replace("{home}", System.getProperty("user.home"))
                .replace("{marker}", marker);
        long start = System.nanoTime();
        SandboxResult result = SANDBOX.run(program, "solve", AdversarialCandidates.TESTS);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        List<String> left = processesCarrying(marker, Duration.ofSeconds(1));
        List<String> damage = new ArrayList<>();
        if (!Files.isRegularFile(canary) || !Files.readString(canary).equals(CANARY_TEXT)) {
            damage.add("canary changed or gone");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(p -> {
                if (!p.equals(canary) && !p.equals(secret)) {
                    damage.add("new file " + p);
                }
            });
        }
        for (String path : List.of("/usr/emend-pwned-" + marker, "/emend-pwned-" + marker, "/var/tmp/emend-pwned-" + marker,
                System.getProperty("user.home") + "/emend-pwned-" + marker)) {
            if (Files.exists(Path.of(path))) {
                damage.add("created " + path);
                Files.delete(Path.of(path));
            }
        }
        return new Outcome(result, elapsed, left, String.join("; ", damage));
    }

    /** Command lines that still carry {@code marker}, after waiting up to {@code patience} for them to go. */
    private static List<String> processesCarrying(String marker, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        List<String> found;
        do {
            found = new ArrayList<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path proc : procs) {
                    try {
                        String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                        if (cmdline.contains(marker)) {
                            found.add(proc.getFileName() + " " + cmdline.replace('\0', ' '));
                        }
                    } catch (IOException e) {
                        // the process ended while we looked
                    }
                }
            }
            if (found.isEmpty()) {
                return found;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void run_adversarialCandidate_isContained(Attack attack) {
        assumeTrue(SANDBOX.isolation().ordinal() <= attack.contained().ordinal(),
                () -> attack.name() + " needs isolation " + attack.contained().label() + " or stronger; this machine has "
                        + SANDBOX.isolation().label());
        Outcome o = OUTCOMES.get(attack.name());
        assertEquals(0, o.result().score(), () -> attack.name() + " scored 1: " + o.result());
        Duration limit = TestSandboxes.TIMEOUT.plus(GRACE);
        assertTrue(o.elapsed().compareTo(limit) <= 0, () -> attack.name() + " took " + o.elapsed().toMillis() + " ms, over " + limit.toMillis());
        assertEquals(List.of(), o.leftBehind(), () -> attack.name() + " left processes behind");
        assertEquals("", o.hostDamage(), () -> attack.name() + " changed the host's files");
    }

    @Test
    void suite_isLargeEnough_andTheHostSawNoTraffic() throws IOException {
        assertTrue(AdversarialCandidates.all().size() >= 30);
        assertEquals(0, TCP_CONNECTIONS.get(), "a candidate reached the host's loopback TCP port");
        assertEquals(0, UNIX_CONNECTIONS.get(), "a candidate reached the host's Unix socket");
        udp.setSoTimeout(200);
        DatagramPacket packet = new DatagramPacket(new byte[64], 64);
        try {
            udp.receive(packet);
            throw new AssertionError("a candidate's UDP datagram reached the host: "
                    + new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        } catch (SocketTimeoutException expected) {
            // nothing arrived
        }
        assertEquals(harnessBefore, digests(HarnessFiles.folder()), "a candidate changed the harness files");
    }

    @AfterAll
    static void printFigures() throws IOException {
        int applicable = 0;
        int contained = 0;
        long maxMillis = 0;
        String slowest = "";
        Map<Verdict, Integer> verdicts = new TreeMap<>();
        TreeSet<String> skipped = new TreeSet<>();
        for (Attack attack : AdversarialCandidates.all()) {
            Outcome o = OUTCOMES.get(attack.name());
            if (o == null) {
                continue;
            }
            if (SANDBOX.isolation().ordinal() > attack.contained().ordinal()) {
                skipped.add(attack.name());
                continue;
            }
            applicable++;
            System.out.printf("  %-55s %-12s %5d ms  %s%n", attack.name(), o.result().verdict(), o.elapsed().toMillis(), o.result().reason());
            boolean ok = o.result().score() == 0 && o.elapsed().compareTo(TestSandboxes.TIMEOUT.plus(GRACE)) <= 0
                    && o.leftBehind().isEmpty() && o.hostDamage().isEmpty();
            contained += ok ? 1 : 0;
            verdicts.merge(o.result().verdict(), 1, Integer::sum);
            if (o.elapsed().toMillis() > maxMillis) {
                maxMillis = o.elapsed().toMillis();
                slowest = attack.name();
            }
        }
        System.out.printf("adversarial suite (isolation %s, timeout %d ms): contained %d of %d, max latency %d ms (%s); verdicts %s%s%n",
                SANDBOX.isolation().label(), TestSandboxes.TIMEOUT.toMillis(), contained, applicable, maxMillis, slowest, verdicts,
                skipped.isEmpty() ? "" : "; skipped under this isolation: " + skipped);
        tcp.close();
        udp.close();
        unix.close();
    }

    private static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                try {
                    out.put(file.getFileName().toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
