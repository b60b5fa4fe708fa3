package parley.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * JVM flags that make a service start warm on its next run. On JDK 25 and newer: an AOT cache
 * (JEP 483/514/515) written when the service exits, holding its loaded classes and the method
 * profiles of that run, so the next start skips class loading and the JIT compiles the hot
 * paths at once instead of after minutes of traffic. On JDK 21–24: a dynamic CDS archive (class
 * data only). A cache older than the jar is rebuilt; the JVM ignores one that does not fit.
 */
final class WarmStart {
    private WarmStart() {}

    static List<String> flags(Path cacheDir, String name, Path jar) {
        try {
            Files.createDirectories(cacheDir);
            if (Runtime.version().feature() >= 25) {
                Path cache = cacheDir.resolve(name + ".aot");
                if (Files.exists(cache)
                        && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                    return List.of("-XX:AOTCache=" + cache);
                }
                Files.deleteIfExists(cache);
                return List.of("-XX:AOTCacheOutput=" + cache);
            }
            Path archive = cacheDir.resolve(name + ".jsa");
            if (Files.exists(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                Files.delete(archive);
            }
            return List.of("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive");
        } catch (IOException e) {
            return List.of(); // a cold start, nothing worse
        }
    }
}
