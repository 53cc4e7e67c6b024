package dev.motflow.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The local AWS stand-ins of a test JVM, started once and shared: dynalite (DynamoDB API),
 * s3rver (S3 API) and {@link SageMakerStub}. Clients are the real SDK v2 clients pointed at
 * loopback. A shutdown hook stops the child processes.
 */
public final class LocalAws {
    public static final Region REGION = Region.US_EAST_1;
    /** s3rver checks signatures against this fixed key pair; dynalite accepts any. */
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("S3RVER", "S3RVER"));

    private static volatile LocalAws shared;

    private final NodeServer dynalite;
    private final NodeServer s3rver;
    private final SageMakerStub sageMaker;
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final AtomicInteger names = new AtomicInteger();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    private LocalAws() throws Exception {
        Path s3Dir = Files.createTempDirectory("motflow-s3rver-");
        // Start both node servers in parallel: each takes ~0.5-1 s to boot.
        var dynStart = java.util.concurrent.CompletableFuture.supplyAsync(() -> NodeServer.start("dynalite",
                "dynalite/cli.js", List.of("--host", "127.0.0.1", "--port", "{port}", "--createTableMs", "0",
                        "--deleteTableMs", "0", "--updateTableMs", "0"), Duration.ofSeconds(30)));
        this.s3rver = NodeServer.start("s3rver", "s3rver/bin/s3rver.js",
                List.of("--directory", s3Dir.toString(), "--address", "127.0.0.1", "--port", "{port}", "--silent"),
                Duration.ofSeconds(30));
        this.dynalite = dynStart.join();
        this.sageMaker = SageMakerStub.start();
        this.dynamo = dynamoClient(dynalite.endpoint());
        this.s3 = s3Client(s3rver.endpoint());
        this.presigner = s3Presigner(s3rver.endpoint());
    }

    /** The JVM-wide instance, started on first use. */
    public static LocalAws shared() {
        LocalAws local = shared;
        if (local == null) {
            synchronized (LocalAws.class) {
                local = shared;
                if (local == null) {
                    try {
                        local = new LocalAws();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start the local AWS services", e);
                    }
                    LocalAws started = local;
                    Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "local-aws-stop"));
                    shared = local;
                }
            }
        }
        return local;
    }

    public static DynamoDbClient dynamoClient(URI endpoint) {
        return dynamoClient(endpoint, c -> { });
    }

    /** A DynamoDB client whose override configuration (retry strategy, timeouts) {@code overrides} sets. */
    public static DynamoDbClient dynamoClient(URI endpoint,
            java.util.function.Consumer<software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.Builder> overrides) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(CREDENTIALS)
                .overrideConfiguration(overrides).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static S3Client s3Client(URI endpoint) {
        return s3Client(endpoint, c -> { });
    }

    /** An S3 client whose override configuration (retry strategy, timeouts) {@code overrides} sets. */
    public static S3Client s3Client(URI endpoint,
            java.util.function.Consumer<software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.Builder> overrides) {
        return S3Client.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(CREDENTIALS)
                .overrideConfiguration(overrides)
                // s3rver predates flexible checksums and aws-chunked (streaming-signed) uploads.
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true)
                        .chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static S3Presigner s3Presigner(URI endpoint) {
        return S3Presigner.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(CREDENTIALS)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public S3Client s3() {
        return s3;
    }

    public S3Presigner s3Presigner() {
        return presigner;
    }

    public URI dynamoEndpoint() {
        return dynalite.endpoint();
    }

    public URI s3Endpoint() {
        return s3rver.endpoint();
    }

    public SageMakerStub sageMaker() {
        return sageMaker;
    }

    /** A name unique in this JVM and run: lower case letters, digits and dashes (valid for buckets and tables). */
    public String uniqueName(String prefix) {
        String p = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return p + "-" + runId + "-" + names.incrementAndGet();
    }

    /** Creates a new, empty bucket with a unique name and returns the name. */
    public String newBucket(String prefix) {
        String name = uniqueName(prefix);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    private void stop() {
        try {
            sageMaker.close();
        } finally {
            dynalite.close();
            s3rver.close();
        }
    }
}
