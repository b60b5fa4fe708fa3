package parley.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A JVM that starts a Redis, then exits; a shutdown hook of its own (an owner stopping its
 * clients) checks Redis still answers a moment into the exit. With "owner" the server is left to
 * that hook to stop, as the local launcher does.
 */
public final class ShutdownOrderProbe {
    private ShutdownOrderProbe() {}

    public static void main(String[] args) {
        boolean owner = args.length > 0 && args[0].equals("owner");
        RedisServerProcess redis = RedisServerProcess.start(new RedisServerProcess.Options(0, null, false));
        if (owner) {
            redis.stoppedByOwner();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(1500); // the owner's clients finishing their work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("answered during the exit: " + pong(redis.port()));
            if (owner) {
                redis.stop();
            }
        }));
        System.out.println("port " + redis.port());
        System.exit(0);
    }

    private static boolean pong(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(5);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
        } catch (Exception e) {
            return false;
        }
    }
}
