package dev.motflow.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.HttpUserPoolAuthorizer;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.OriginProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.OriginRequestPolicy;
import software.amazon.awscdk.services.cloudfront.OriginSslPolicy;
import software.amazon.awscdk.services.cloudfront.origins.HttpOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.cognito.AccountRecovery;
import software.amazon.awscdk.services.cognito.AuthFlow;
import software.amazon.awscdk.services.cognito.CognitoDomainOptions;
import software.amazon.awscdk.services.cognito.FeaturePlan;
import software.amazon.awscdk.services.cognito.Mfa;
import software.amazon.awscdk.services.cognito.MfaSecondFactor;
import software.amazon.awscdk.services.cognito.OAuthFlows;
import software.amazon.awscdk.services.cognito.OAuthScope;
import software.amazon.awscdk.services.cognito.OAuthSettings;
import software.amazon.awscdk.services.cognito.PasswordPolicy;
import software.amazon.awscdk.services.cognito.SignInAliases;
import software.amazon.awscdk.services.cognito.StandardThreatProtectionMode;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolClient;
import software.amazon.awscdk.services.cognito.UserPoolClientIdentityProvider;
import software.amazon.awscdk.services.cognito.UserPoolDomain;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CorsRule;
import software.amazon.awscdk.services.s3.HttpMethods;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.amazon.awscdk.services.s3.deployment.BucketDeployment;
import software.amazon.awscdk.services.s3.deployment.ISource;
import software.amazon.awscdk.services.s3.deployment.Source;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The web console in AWS: its static files in a private bucket behind CloudFront (origin access
 * control, HTTPS only, security headers), sign-in with a Cognito user pool (hosted UI, authorization
 * code + PKCE, TOTP MFA) and a second HTTP API that accepts the pool's JWTs on the console's routes,
 * integrated with the same Lambda aliases as the IAM-authorized API.
 */
public final class Console extends Construct {
    /** Context key of the folder (relative to the repository root) whose files are the console. */
    public static final String DIR_CONTEXT = "consoleDir";
    public static final String DEFAULT_DIR = "console";
    /** Where the console API is served on the console's origin; also the API's stage name. */
    public static final String API_PATH = "/api";
    /** Served when the console folder does not exist yet (the console is built separately). */
    static final String PLACEHOLDER_HTML = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<title>motflow</title></head><body><h1>motflow</h1><p>The console has not been built into this"
            + " deployment: add the console folder and deploy again.</p></body></html>\n";

    private final Bucket assets;
    private final Distribution distribution;
    private final UserPool userPool;
    private final UserPoolClient client;
    private final UserPoolDomain domain;
    private final HttpApi api;
    private final String url;

    /**
     * @param routes the API routes the console calls: path -> (methods, Lambda alias that serves it)
     */
    public Console(Construct scope, String id, MotflowConfig cfg, Path consoleDir, Storage storage,
                   Map<String, Route> routes) {
        super(scope, id);

        // CloudFront standard logs need a bucket with ACLs (log delivery writes with the
        // awslogsdelivery ACL); the data access-log bucket has ACLs disabled, so they get their own.
        Bucket cdnLogs = Bucket.Builder.create(this, "CdnLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                .serverAccessLogsBucket(storage.accessLogs())
                .serverAccessLogsPrefix("cdn-logs/")
                .lifecycleRules(List.of(LifecycleRule.builder().id("ExpireLogs")
                        .expiration(Duration.days(cfg.accessLogRetentionDays())).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // SSE-S3: CloudFront reads through OAC without a KMS key policy, and the files are public
        // once served anyway; the bucket itself stays private.
        assets = Bucket.Builder.create(this, "Assets")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .serverAccessLogsBucket(storage.accessLogs())
                .serverAccessLogsPrefix("console/")
                .lifecycleRules(List.of(LifecycleRule.builder().id("AbortIncompleteMultipart")
                        .abortIncompleteMultipartUploadAfter(Duration.days(cfg.abortMultipartUploadDays())).build()))
                // Retained like the other buckets (a non-empty bucket would fail the stack's deletion).
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        userPool = UserPool.Builder.create(this, "Users")
                .userPoolName(cfg.prefix() + "-console")
                .selfSignUpEnabled(false)
                .signInAliases(SignInAliases.builder().email(true).username(false).build())
                .mfa(Mfa.REQUIRED)
                .mfaSecondFactor(MfaSecondFactor.builder().otp(true).sms(false).build())
                .passwordPolicy(PasswordPolicy.builder().minLength(14).requireDigits(true).requireLowercase(true)
                        .requireUppercase(true).requireSymbols(true).tempPasswordValidity(Duration.days(3))
                        .passwordHistorySize(5).build())
                .accountRecovery(AccountRecovery.EMAIL_ONLY)
                // Threat protection (formerly advanced security) needs the Plus plan.
                .featurePlan(FeaturePlan.PLUS)
                .standardThreatProtectionMode(StandardThreatProtectionMode.FULL_FUNCTION)
                .deletionProtection(!cfg.stage().equals("dev"))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        domain = userPool.addDomain("HostedUi", software.amazon.awscdk.services.cognito.UserPoolDomainOptions.builder()
                // Cognito domain prefixes are global: the account id keeps them unique.
                .cognitoDomain(CognitoDomainOptions.builder()
                        .domainPrefix(Fn.join("-", List.of(cfg.prefix(), Aws.ACCOUNT_ID))).build())
                .build());

        LogGroup apiLogs = LogGroup.Builder.create(this, "ApiAccessLogs")
                .retention(JobFunctions.retention(cfg.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        // The console API is served by the distribution itself (/api/* -> the API's "api" stage), so
        // the browser calls its own origin: no CORS on the API, and the CSP names no API host. (The
        // distribution's domain cannot go into the API's CORS and the API's into the distribution's
        // CSP at once: CloudFormation refuses the cycle.)
        api = HttpApi.Builder.create(this, "HttpApi")
                .apiName(cfg.prefix() + "-console-api")
                .description("motflow console API (Cognito JWT on every route)")
                .createDefaultStage(false)
                .build();
        String apiHost = Fn.select(2, Fn.split("/", api.getApiEndpoint()));
        String cognitoOrigin = domain.baseUrl();
        // The drop bucket's name is fixed (Storage), so its host adds no dependency on the bucket.
        String dropOrigin = Fn.join("", List.of("https://", storage.dropBucketName(), ".s3.", Aws.REGION, ".",
                Aws.URL_SUFFIX));
        String resultsOrigin = "https://" + storage.results().getBucketRegionalDomainName();
        // Scripts, styles and images from the console's own origin only; data from itself (the
        // API), the hosted UI's token endpoint and the presigned S3 URLs the API hands out (PUT
        // uploads to the drop bucket, GETs of videos and results).
        String csp = Fn.join(" ", List.of(
                "default-src 'self';",
                "script-src 'self';",
                "style-src 'self';",
                "img-src 'self' data: blob:;",
                "media-src 'self' blob:", dropOrigin, resultsOrigin + ";",
                "connect-src 'self'", cognitoOrigin, dropOrigin, resultsOrigin + ";",
                "form-action 'self'", cognitoOrigin + ";",
                "frame-ancestors 'none';",
                "base-uri 'self';",
                "object-src 'none'"));
        ResponseHeadersPolicy headers = ResponseHeadersPolicy.Builder.create(this, "SecurityHeaders")
                .comment("motflow console: CSP (self + sign-in + presigned S3), HSTS, nosniff, no framing")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy(csp).override(true).build())
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(365)).includeSubdomains(true).preload(false)
                                .override(true).build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder()
                                .frameOption(HeadersFrameOption.DENY).override(true).build())
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.NO_REFERRER).override(true).build())
                        .build())
                .build();
        distribution = Distribution.Builder.create(this, "Cdn")
                .comment(cfg.prefix() + " console")
                .defaultRootObject("index.html")
                .defaultBehavior(BehaviorOptions.builder()
                        .origin(S3BucketOrigin.withOriginAccessControl(assets))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                        .allowedMethods(AllowedMethods.ALLOW_GET_HEAD)
                        .cachePolicy(CachePolicy.CACHING_OPTIMIZED)
                        .responseHeadersPolicy(headers)
                        .compress(true)
                        .build())
                .additionalBehaviors(Map.of(API_PATH + "/*", BehaviorOptions.builder()
                        .origin(HttpOrigin.Builder.create(apiHost)
                                .protocolPolicy(OriginProtocolPolicy.HTTPS_ONLY)
                                .originSslProtocols(List.of(OriginSslPolicy.TLS_V1_2))
                                .build())
                        // An API call must not be answered with a redirect (a POST would be lost).
                        .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                        .allowedMethods(AllowedMethods.ALLOW_ALL)
                        .cachePolicy(CachePolicy.CACHING_DISABLED)
                        // Forwards the Authorization header (the JWT) and the query string.
                        .originRequestPolicy(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER)
                        .responseHeadersPolicy(headers)
                        .build()))
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .priceClass(PriceClass.PRICE_CLASS_100)
                .enableLogging(true)
                .logBucket(cdnLogs)
                .logFilePrefix("cloudfront/")
                .build();
        url = "https://" + distribution.getDistributionDomainName();
        NagSuppressions.addResourceSuppressions(distribution, List.of(
                NagPackSuppression.builder().id("AwsSolutions-CFR1")
                        .reason("Who may use the console is decided by the Cognito sign-in (no self sign-up, TOTP"
                                + " MFA required); blocking countries is a business choice an operator can add.")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-CFR2")
                        .reason("No WAF web ACL by default: it must live in us-east-1 and is billed monthly; the"
                                + " distribution serves static files and the API behind it requires a Cognito JWT"
                                + " and is throttled. Attach one (webAclId) where the deployment needs it.")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-CFR4")
                        .reason("The default *.cloudfront.net certificate, for which CloudFront fixes the minimum"
                                + " viewer protocol; raising it to TLSv1.2_2021 needs a custom domain with an ACM"
                                + " certificate, which this stack does not own.")
                        .build()));

        client = userPool.addClient("ConsoleClient", software.amazon.awscdk.services.cognito.UserPoolClientOptions.builder()
                .userPoolClientName(cfg.prefix() + "-console")
                .generateSecret(false)
                // No password flows: only the hosted UI's authorization code grant (with PKCE: a public
                // client without a secret; Cognito checks the code_verifier when a challenge was sent).
                .authFlows(AuthFlow.builder().build())
                .oAuth(OAuthSettings.builder()
                        .flows(OAuthFlows.builder().authorizationCodeGrant(true).implicitCodeGrant(false)
                                .clientCredentials(false).build())
                        .scopes(List.of(OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE))
                        .callbackUrls(List.of(url + "/"))
                        .logoutUrls(List.of(url + "/"))
                        .build())
                .supportedIdentityProviders(List.of(UserPoolClientIdentityProvider.COGNITO))
                .preventUserExistenceErrors(true)
                .enableTokenRevocation(true)
                .accessTokenValidity(Duration.hours(1))
                .idTokenValidity(Duration.hours(1))
                .refreshTokenValidity(Duration.hours(12))
                .build());
        // Only refreshing tokens outside the hosted UI (CDK leaves the list empty when every AuthFlow is
        // off, and Cognito then also allows SRP and custom auth through the API).
        ((software.amazon.awscdk.services.cognito.CfnUserPoolClient) client.getNode().getDefaultChild())
                .setExplicitAuthFlows(List.of("ALLOW_REFRESH_TOKEN_AUTH"));

        HttpUserPoolAuthorizer authorizer = HttpUserPoolAuthorizer.Builder.create("ConsoleJwt", userPool)
                .userPoolClients(List.of(client))
                .build();
        HttpStage.Builder.create(this, "ApiStage")
                .httpApi(api)
                .stageName(API_PATH.substring(1))
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(cfg.apiThrottleRatePerSecond())
                        .burstLimit(cfg.apiThrottleBurst())
                        .build())
                .accessLogSettings(new JobFunctions.AccessLogs(new LogGroupLogDestination(apiLogs),
                        AccessLogFormat.custom("{\"requestId\":\"$context.requestId\","
                                + "\"ip\":\"$context.identity.sourceIp\",\"caller\":\"$context.authorizer.claims.sub\","
                                + "\"time\":\"$context.requestTime\",\"route\":\"$context.routeKey\","
                                + "\"status\":\"$context.status\",\"length\":\"$context.responseLength\","
                                + "\"latency\":\"$context.integrationLatency\","
                                + "\"error\":\"$context.integrationErrorMessage\"}")))
                .build();
        Map<String, HttpLambdaIntegration> integrations = new LinkedHashMap<>();
        routes.forEach((path, route) -> {
            HttpLambdaIntegration integration = integrations.computeIfAbsent(route.function().getNode().getAddr(),
                    k -> new HttpLambdaIntegration("Console" + route.name() + "Integration", route.function()));
            api.addRoutes(AddRoutesOptions.builder().path(path).methods(route.methods()).integration(integration)
                    .authorizer(authorizer).build());
        });

        // The browser uploads with presigned PUTs and plays videos with presigned GETs. The results
        // bucket allows any CloudFront origin: naming this distribution there would close a cycle
        // (its CSP names the bucket), and a presigned URL is itself the credential, CORS only decides
        // which pages may read the answer.
        CorsRule browser = CorsRule.builder()
                .allowedOrigins(List.of(url))
                .allowedMethods(List.of(HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD))
                // x-amz-*: checksum and SSE headers a presigned PUT may have signed.
                .allowedHeaders(List.of("content-type", "range", "x-amz-*"))
                .exposedHeaders(List.of("etag", "content-length", "content-range", "accept-ranges"))
                .maxAge(3600)
                .build();
        storage.drop().addCorsRule(browser);
        storage.results().addCorsRule(CorsRule.builder()
                .allowedOrigins(List.of("https://*.cloudfront.net"))
                .allowedMethods(List.of(HttpMethods.GET, HttpMethods.HEAD))
                .allowedHeaders(List.of("range"))
                .exposedHeaders(List.of("etag", "content-length", "content-range", "accept-ranges"))
                .maxAge(3600)
                .build());

        deploy(cfg, consoleDir, storage);
    }

    /** A route of the console API: its methods and the Lambda alias behind it. */
    public record Route(String name, List<HttpMethod> methods, IFunction function) {
    }

    /**
     * The console's files and its config.json, copied into the bucket at deploy time (then the
     * CloudFront cache is invalidated). The handler's role is ours and immutable: CDK's grants
     * (wildcard actions such as s3:GetObject* and s3:List*) are dropped and it gets exactly what
     * `aws s3 sync` needs.
     */
    private void deploy(MotflowConfig cfg, Path consoleDir, Storage storage) {
        List<ISource> sources = new ArrayList<>();
        Asset files = Asset.Builder.create(this, "Files")
                .path((Files.isDirectory(consoleDir) ? consoleDir : placeholder()).toString()).build();
        sources.add(Source.bucket(files.getBucket(), files.getS3ObjectKey()));
        // Every file asset (the files above and config.json) is in the CDK bootstrap bucket, named by hash.
        String assetBucketObjects = files.getBucket().arnForObjects("*");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("apiUrl", url + API_PATH);
        config.put("region", Aws.REGION);
        config.put("userPoolId", userPool.getUserPoolId());
        config.put("clientId", client.getUserPoolClientId());
        config.put("authDomain", domain.baseUrl());
        config.put("redirectUri", url + "/");
        sources.add(Source.jsonData("config.json", config));

        LogGroup logs = LogGroup.Builder.create(this, "DeployLogs")
                .retention(JobFunctions.retention(cfg.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Role role = Role.Builder.create(this, "DeployRole")
                .description("motflow console deployment: copies the console files into its bucket")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        role.addToPolicy(Policies.allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(logs.getLogGroupArn(), logs.getLogGroupArn() + ":log-stream:*")));
        // The zipped sources in the CDK bootstrap bucket (object names are content hashes).
        role.addToPolicy(Policies.allow(List.of("s3:GetObject"), List.of(assetBucketObjects)));
        role.addToPolicy(Policies.allow(List.of("s3:ListBucket"), List.of(assets.getBucketArn())));
        role.addToPolicy(Policies.allow(List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
                List.of(assets.arnForObjects("*"))));
        role.addToPolicy(Policies.allow(List.of("cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"),
                List.of(Fn.join("", List.of("arn:", Aws.PARTITION, ":cloudfront::", Aws.ACCOUNT_ID,
                        ":distribution/", distribution.getDistributionId())))));

        BucketDeployment deployment = BucketDeployment.Builder.create(this, "Deploy")
                .destinationBucket(assets)
                .sources(sources)
                .role(role.withoutPolicyUpdates())
                .logGroup(logs)
                .distribution(distribution)
                .distributionPaths(List.of("/*"))
                .memoryLimit(512)
                .prune(true)
                .build();
        deployment.getNode().addDependency(role);
        // The handler is a stack-level singleton created by BucketDeployment.
        for (IConstruct c : Stack.of(this).getNode().getChildren()) {
            if (c.getNode().getId().startsWith("Custom::CDKBucketDeployment")) {
                NagSuppressions.addResourceSuppressions(c, List.of(NagPackSuppression.builder().id("AwsSolutions-L1")
                        .reason("CDK's BucketDeployment handler: its Python runtime is chosen and upgraded by the"
                                + " aws-cdk-lib release, not by this app.")
                        .build()), true);
            }
        }
    }

    /** A folder with the placeholder index.html (same content, same asset hash, on every synth). */
    private static Path placeholder() {
        try {
            Path dir = Files.createTempDirectory("motflow-console-placeholder");
            Files.writeString(dir.resolve("index.html"), PLACEHOLDER_HTML);
            dir.toFile().deleteOnExit();
            dir.resolve("index.html").toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the console placeholder", e);
        }
    }

    public Bucket assets() {
        return assets;
    }

    public Distribution distribution() {
        return distribution;
    }

    public UserPool userPool() {
        return userPool;
    }

    public UserPoolClient client() {
        return client;
    }

    public UserPoolDomain domain() {
        return domain;
    }

    public HttpApi api() {
        return api;
    }

    /** https://<distribution domain>: the console's origin and the sign-in callback's base. */
    public String url() {
        return url;
    }
}
