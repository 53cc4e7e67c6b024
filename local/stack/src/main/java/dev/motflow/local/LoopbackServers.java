package dev.motflow.local;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;

import com.sun.net.httpserver.HttpServer;

/** JDK HTTP servers on 127.0.0.1 with the errors a user can act on, and daemon worker threads. */
final class LoopbackServers {
    private LoopbackServers() {
    }

    /** A server bound to {@code port} (0: any free port), not started yet. */
    static HttpServer bind(int port) {
        try {
            return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (BindException e) {
            throw new LocalStackException("port " + port + " on 127.0.0.1 is in use (another ./motflow serve?): stop that "
                    + "process or choose another port with --port N");
        } catch (IOException e) {
            throw new LocalStackException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
