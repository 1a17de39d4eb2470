package emend.control;

import com.google.protobuf.InvalidProtocolBufferException;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** Sends one {@link ControlRequest} to a {@link ControlServer} as binary protobuf and returns its reply. */
public final class ControlClient {

    private static final String CHECK = "check that the learner node is running and that --contact is its control address "
            + "(emend.control.host and emend.control.port, default 127.0.0.1:8470), not its cluster port";

    private final String contact;
    private final URI uri;
    private final ControlToken token;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param requestTimeout how long to wait for the reply once connected; keep it above the server's
     *     {@code emend.control.timeout} so the server's own UNAVAILABLE reply arrives instead of a client timeout
     */
    public ControlClient(String host, int port, ControlToken token, Duration connectTimeout, Duration requestTimeout) {
        this(host, port, token, connectTimeout, requestTimeout, null);
    }

    /**
     * @param tls for an endpoint of a TLS cluster: HTTPS with this context, which presents the client's certificate
     *     and trusts the cluster's CA only; null for plain HTTP
     */
    public ControlClient(String host, int port, ControlToken token, Duration connectTimeout, Duration requestTimeout, SSLContext tls) {
        this.contact = host + ":" + port;
        try {
            // this constructor adds the brackets an IPv6 literal needs
            this.uri = new URI(tls == null ? "http" : "https", null, host, port, ControlServer.CONTROL_PATH, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a usable control address: " + contact + " (" + e.getMessage() + ")", e);
        }
        this.token = token;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        // HTTP/1.1 spares every request the h2c upgrade dance the JDK server would ignore anyway
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout);
        this.http = (tls == null ? http : http.sslContext(tls)).build();
    }

    /**
     * The server's reply, whatever its code (REFUSED and UNAUTHORIZED are replies too).
     *
     * @throws ControlUnreachableException when no control reply comes back; the message names the address
     */
    public ControlReply send(ControlRequest request) {
        HttpRequest post = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token.value())
                .header("Content-Type", ControlEncoding.PROTOBUF.mediaType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(post, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw new ControlUnreachableException("no connection to " + contact + " within " + seconds(connectTimeout) + "; " + CHECK, e);
        } catch (HttpTimeoutException e) {
            throw new ControlUnreachableException(contact + " took the request but sent no reply within "
                    + seconds(requestTimeout) + "; the learner node may be overloaded", e);
        } catch (SSLException e) {
            throw new ControlUnreachableException("the TLS handshake with " + contact + " failed (" + e.getMessage() + "); with a TLS "
                    + "cluster pass --tls DIR --tls-name NAME holding a certificate of its CA, without one leave --tls out", e);
        } catch (ConnectException e) {
            throw new ControlUnreachableException("cannot connect to " + contact + " (connection refused or unreachable); " + CHECK, e);
        } catch (IOException e) {
            // a plain client reads an HTTPS endpoint's TLS alert as a broken status line
            String tlsHint = uri.getScheme().equals("http") ? "; an endpoint of a TLS cluster needs --tls DIR --tls-name NAME" : "";
            throw new ControlUnreachableException("cannot talk to " + contact + " (" + e + "); " + CHECK + tlsHint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlUnreachableException("interrupted while waiting for " + contact, e);
        }
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        if (ControlEncoding.ofContentType(contentType).orElse(null) == ControlEncoding.PROTOBUF) {
            try {
                return ControlReply.parseFrom(response.body());
            } catch (InvalidProtocolBufferException e) {
                throw new ControlUnreachableException(contact + " sent a broken control reply (HTTP " + response.statusCode() + "): "
                        + e.getMessage(), e);
            }
        }
        throw new ControlUnreachableException(contact + " answered HTTP " + response.statusCode() + " but not with a control reply; "
                + CHECK, null);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
