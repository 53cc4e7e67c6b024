package dev.motflow.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The web console's static files (the repository's {@code console/} folder), served by the local
 * API server on the same origin as the API, as CloudFront serves them in AWS. Only regular files
 * under the folder with a known type are served: no directory listings, no dot files, no path that
 * leaves the folder (checked on the resolved real path, so a symbolic link cannot leave it either).
 */
final class ConsoleFiles {
    /** A file to send: its bytes and headers. */
    record File(byte[] body, Map<String, String> headers) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    /**
     * Same-origin scripts and styles only (the console loads nothing from the internet); media and
     * fetches may also go to the loopback S3 server, whose port is chosen at start.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; media-src 'self' blob: http://127.0.0.1:*; "
            + "connect-src 'self' http://127.0.0.1:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Path root;

    ConsoleFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /**
     * The file for a raw request path ({@code /} is {@code index.html}), or empty when there is no
     * such servable file.
     *
     * @param ifModifiedSince the request's header, or null; a fresh copy in the browser gets a 304 (null body)
     */
    Optional<File> find(String rawPath, String ifModifiedSince) throws IOException {
        if (rawPath == null || !rawPath.startsWith("/") || rawPath.contains("%") || rawPath.contains("\\")
                || rawPath.contains("\0")) {
            return Optional.empty();
        }
        String relative = rawPath.equals("/") ? "index.html" : rawPath.substring(1);
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return Optional.empty();
            }
        }
        String type = TYPES.get(extension(relative));
        Path file = root.resolve(relative).normalize();
        if (type == null || !file.startsWith(root) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || !file.toRealPath().startsWith(root.toRealPath())) {
            return Optional.empty();
        }
        Instant modified = Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> headers = Map.of(
                "Content-Type", type,
                // Revalidated on every load: the files change with the checkout and carry no content hash.
                "Cache-Control", "no-cache",
                "Last-Modified", HTTP_DATE.format(modified),
                "X-Content-Type-Options", "nosniff",
                "Referrer-Policy", "no-referrer",
                "Content-Security-Policy", CONTENT_SECURITY_POLICY);
        if (ifModifiedSince != null && notModified(ifModifiedSince, modified)) {
            return Optional.of(new File(null, headers));
        }
        return Optional.of(new File(Files.readAllBytes(file), headers));
    }

    private static boolean notModified(String header, Instant modified) {
        try {
            return !modified.isAfter(Instant.from(HTTP_DATE.parse(header.strip())));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        return dot > slash ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
