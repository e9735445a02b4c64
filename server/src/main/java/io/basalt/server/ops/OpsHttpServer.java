package io.basalt.server.ops;

import io.basalt.data.Keyspace;
import io.basalt.server.command.CommandTable;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigException;
import io.basalt.server.module.ServerModule;
import io.basalt.server.replication.MasterLink;
import io.basalt.server.replication.ReplicationSource;
import io.basalt.server.stats.ServerStats;
import io.basalt.server.util.Listeners;
import io.basalt.server.util.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The operations HTTP listener ({@code basalt-http-port}, default 9121, redis_exporter's port, on
 * the addresses of {@code bind}; 0 turns it off): {@code /metrics} (Prometheus text, or OpenMetrics
 * when the Accept header asks for it), {@code /health/live} and {@code /health/ready}.
 *
 * <p>It runs on an event loop of its own (one thread, {@code basalt-http}), never on the RESP event
 * loops, and what it reads takes no lock a command waits on (see {@link RedisMetrics}), so scraping
 * does not disturb command execution. {@code CONFIG SET basalt-http-port} and {@code CONFIG SET bind}
 * rebind it at runtime the way the RESP listeners are rebound: the new sockets first, then the old
 * ones closed, so a failure leaves it where it was.
 */
public final class OpsHttpServer implements ServerModule {
    /** A request larger than this (headers and body) is refused (413): only the admin API takes a body, a small JSON object. */
    private static final int MAX_REQUEST = 16 * 1024;
    /** Idle keep-alive connections are closed after this many seconds. */
    private static final int IDLE_SECONDS = 60;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Health health;
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    private volatile int port;
    private volatile String bind = "* -::*";
    private EventLoopGroup group; // guarded by this
    private ServerBootstrap bootstrap; // guarded by this; null until start (and after stop)
    private boolean stopped; // guarded by this

    public OpsHttpServer(OpsView view, Config config, Keyspace keyspace, ServerStats stats, CommandTable commands,
                         ReplicationSource replication, MasterLink masterLink) {
        this.health = new Health(view, masterLink);
        registry.register(new RedisMetrics(view, config, keyspace, stats, commands, replication, masterLink));
        // the JVM's figures under the names of the Prometheus JVM instrumentation (jvm_*), which
        // JVM dashboards expect. Not its thread metrics: they look for deadlocks, which stops
        // every thread (the RESP event loops too) at a safepoint on each scrape. Not its process
        // metrics: counting open files lists /proc/self/fd, one entry per connection (30 ms a
        // scrape with 9,000 clients); redis_cpu_* and redis_memory_used_rss_bytes say the rest.
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
    }

    @Override
    public void bind(Config config) {
        config.bind("basalt-http-port", v -> port(Integer.parseInt(v)));
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts listening (unless the port is 0) on the addresses of {@code bindValue}. Throws with
     * the address that failed, as the RESP listener's startup error does.
     */
    public synchronized void start(String bindValue) throws Exception {
        if (stopped) return;
        this.bind = bindValue;
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("basalt-http", true), Listeners.ioFactory());
        bootstrap = new ServerBootstrap()
                .group(group)
                .channel(Listeners.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS),
                                new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(MAX_REQUEST),
                                handler);
                    }
                });
        if (port > 0) listen(bindValue, port);
    }

    /** CONFIG SET bind: the HTTP listener follows the RESP listeners' addresses. */
    public synchronized void rebind(String bindValue) throws ConfigException {
        move(bindValue, port, "Failed to bind to specified addresses.");
    }

    /** basalt-http-port, at startup and by CONFIG SET: 0 closes the listener, another port moves it. */
    private synchronized void port(int p) throws ConfigException {
        move(bind, p, "Unable to listen on this port");
    }

    /** Moves a started listener; on failure it stays where it was and CONFIG SET gets {@code error}. */
    private void move(String newBind, int newPort, String error) throws ConfigException {
        String oldBind = bind;
        int oldPort = port;
        bind = newBind;
        port = newPort;
        // not started: start() binds; nothing changed, or off before and after: nothing to do
        if (bootstrap == null || (newBind.equals(oldBind) && newPort == oldPort) || (newPort == 0 && oldPort == 0)) return;
        try {
            replace(newBind, newPort);
        } catch (Exception e) {
            bind = oldBind;
            port = oldPort;
            Log.warning(e.getMessage());
            throw new ConfigException(error);
        }
    }

    /** Binds the new listeners first, then closes the old ones (none when {@code p} is 0). */
    private void replace(String bindValue, int p) throws Exception {
        List<Channel> fresh = p > 0 ? Listeners.bindAll(bootstrap, bindValue, p, "HTTP") : List.of();
        List<Channel> old = new ArrayList<>(listeners);
        listeners.clear();
        listeners.addAll(fresh);
        for (Channel ch : old) ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        if (p > 0) Log.notice("Operations HTTP listener on " + bindValue + " port " + p);
        else Log.notice("Operations HTTP listener closed");
    }

    private void listen(String bindValue, int p) throws Exception {
        listeners.addAll(Listeners.bindAll(bootstrap, bindValue, p, "HTTP"));
        Log.notice("Operations HTTP listener on " + bindValue + " port " + p + " (/metrics, /health/live, /health/ready)");
    }

    /**
     * Stops listening and ends the HTTP thread; responses already being written are let finish
     * (within two seconds).
     */
    public synchronized void stop() {
        stopped = true;
        for (Channel ch : listeners) ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        listeners.clear();
        bootstrap = null;
        adminThread.shutdown();
        try {
            adminThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (group != null) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        group = null;
    }

    /** The port the listener is bound to, or 0 while it is off. */
    public int port() {
        List<Channel> l = listeners;
        if (l.isEmpty()) return 0;
        return ((InetSocketAddress) l.get(0).localAddress()).getPort();
    }

    /** The metrics registry (the JVM's and the server's collectors). */
    public PrometheusRegistry registry() { return registry; }

    /**
     * Installs the admin REST API ({@code /api/v1/}); its requests run one at a time on a thread
     * of their own ({@code basalt-admin}), so a slow one never delays {@code /metrics} or the probes.
     */
    public void admin(AdminApi api) {
        this.admin = api;
    }

    private volatile AdminApi admin;
    /** At most this many API requests wait for the admin thread; more are answered 503 at once. */
    private static final int ADMIN_QUEUE = 128;
    private final java.util.concurrent.ExecutorService adminThread = new java.util.concurrent.ThreadPoolExecutor(1, 1,
            0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(ADMIN_QUEUE),
            new DefaultThreadFactory("basalt-admin", true));

    // ---------------------------------------------------------------- requests

    private final Handler handler = new Handler();

    @ChannelHandler.Sharable
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean ok = req.decoderResult().isSuccess();
            FullHttpResponse res;
            if (ok && admin != null && isApi(req.uri())) {
                api(ctx, req);
                return;
            }
            if (!ok) {
                res = json(HttpResponseStatus.BAD_REQUEST, "{\"error\":\"bad request\"}");
            } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                res = json(HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"error\":\"method not allowed\"}");
                res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                res = route(ctx, new QueryStringDecoder(req.uri()).path(), req.headers().get(HttpHeaderNames.ACCEPT));
            }
            HttpUtil.setContentLength(res, res.content().readableBytes());
            if (ok && req.method().equals(HttpMethod.HEAD)) {
                // the headers of the GET, no body
                res.content().release();
                res = res.replace(Unpooled.EMPTY_BUFFER);
            }
            send(ctx, res, ok && HttpUtil.isKeepAlive(req));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) ctx.close();
            else super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        HttpUtil.setKeepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }

    private static boolean isApi(String uri) {
        return uri.equals("/api/v1") || uri.startsWith("/api/v1/") || uri.startsWith("/api/v1?");
    }

    /**
     * An admin API request: what it needs is copied out of the request (released when this
     * returns) and it is answered from the admin thread (Netty writes from any thread). A request
     * arriving while another runs waits in the admin thread's queue, the HTTP thread goes on.
     */
    private void api(ChannelHandlerContext ctx, FullHttpRequest req) {
        String method = req.method().name();
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        String rawPath = qs.rawPath();
        var params = qs.parameters();
        String body = req.content().toString(StandardCharsets.UTF_8);
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        AdminApi api = admin;
        try {
            adminThread.execute(() -> {
                AdminApi.Response r = api.handle(method, rawPath, params, body, auth);
                FullHttpResponse res;
                if (r.binary() != null) {
                    res = new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.binary()));
                    res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
                    res.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"basalt.jfr\"");
                } else {
                    res = text(HttpResponseStatus.valueOf(r.status()), r.contentType(), r.body());
                }
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                // a 401 carries no WWW-Authenticate challenge: a browser would open its own password
                // dialog over the web UI's (and a headless one would wait on it forever)
                HttpUtil.setContentLength(res, res.content().readableBytes());
                send(ctx, res, keepAlive);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopped, or ADMIN_QUEUE requests already waiting
            FullHttpResponse res = json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"admin API busy or stopped: retry later\"}");
            HttpUtil.setContentLength(res, res.content().readableBytes());
            send(ctx, res, false);
        }
    }

    private FullHttpResponse route(ChannelHandlerContext ctx, String path, String accept) {
        switch (path) {
            case "/metrics":
                return metrics(ctx, accept);
            case "/health/live":
                return answer(health.live());
            case "/health/ready":
                return answer(health.ready());
            case "/":
                return text(HttpResponseStatus.OK, "text/plain; charset=utf-8",
                        "Basalt operations endpoints: /metrics /health/live /health/ready /api/v1/ /ui/\n");
            case "/ui": {
                FullHttpResponse res = text(HttpResponseStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8", "/ui/\n");
                res.headers().set(HttpHeaderNames.LOCATION, "/ui/");
                return res;
            }
            default:
                if (path.startsWith("/ui/")) return ui(path.substring(4));
                return json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}");
        }
    }

    /** The web UI's files, in the jar under io/basalt/server/ops/ui/ (no CDN, nothing fetched elsewhere). */
    private static final java.util.regex.Pattern UI_FILE = java.util.regex.Pattern.compile("[a-z0-9-]+\\.(html|js|css)");
    private final java.util.concurrent.ConcurrentHashMap<String, byte[]> uiFiles = new java.util.concurrent.ConcurrentHashMap<>();

    private FullHttpResponse ui(String name) {
        if (name.isEmpty()) name = "index.html";
        if (!UI_FILE.matcher(name).matches()) return json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}");
        byte[] body = uiFiles.computeIfAbsent(name, n -> {
            try (java.io.InputStream in = OpsHttpServer.class.getResourceAsStream("ui/" + n)) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        if (body.length == 0) return json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}");
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().set("X-Content-Type-Options", "nosniff");
        return res;
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx, String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteBuf buf = ctx.alloc().buffer(64 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out, registry.scrape());
        } catch (Exception | Error e) {
            buf.release();
            Log.warning("Scraping /metrics failed: " + e);
            return json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\":\"scrape failed\"}");
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
        return res;
    }

    private static FullHttpResponse answer(Health.Answer a) {
        FullHttpResponse res = json(HttpResponseStatus.valueOf(a.status()), a.json());
        // probes must see the state of now
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        return text(status, "application/json", body);
    }

    private static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return res;
    }
}
