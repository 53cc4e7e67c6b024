package dev.motflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.lambda.Function;

/** The console in AWS (issue 13 item 5): CloudFront + private bucket, Cognito sign-in, the JWT API. */
class ConsoleTemplateTest {
    private final Synthesized synth = Synthesized.get();

    private Map.Entry<String, JsonNode> one(String type, String idPrefix) {
        List<Map.Entry<String, JsonNode>> found = synth.resources(type).entrySet().stream()
                .filter(e -> e.getKey().startsWith(idPrefix)).toList();
        assertEquals(1, found.size(), type + " " + idPrefix + ": " + found.stream().map(Map.Entry::getKey).toList());
        return found.get(0);
    }

    @Test
    void filesLiveInAPrivateBucketThatOnlyThisDistributionReadsThroughOac() {
        String bucket = one("AWS::S3::Bucket", "ConsoleAssets").getKey();
        JsonNode props = synth.resources("AWS::S3::Bucket").get(bucket).path("Properties");
        assertFalse(props.has("WebsiteConfiguration"), "not an S3 website");
        for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertTrue(props.path("PublicAccessBlockConfiguration").path(f).asBoolean(), f);
        }
        assertTrue(props.path("LoggingConfiguration").has("DestinationBucketName"), "server access logs");
        String distribution = one("AWS::CloudFront::Distribution", "ConsoleCdn").getKey();
        JsonNode policy = synth.resources("AWS::S3::BucketPolicy").values().stream()
                .filter(p -> p.path("Properties").path("Bucket").path("Ref").asText().equals(bucket))
                .findFirst().orElseThrow().path("Properties").path("PolicyDocument");
        List<JsonNode> reads = new ArrayList<>();
        for (JsonNode st : policy.path("Statement")) {
            if (st.path("Effect").asText().equals("Allow")) {
                reads.add(st);
            }
        }
        assertEquals(1, reads.size(), reads.toString());
        JsonNode read = reads.get(0);
        assertEquals("cloudfront.amazonaws.com", read.path("Principal").path("Service").asText());
        assertEquals(List.of("s3:GetObject"), Synthesized.strings(read.path("Action")));
        assertTrue(read.path("Condition").path("StringEquals").path("AWS:SourceArn").toString().contains(distribution),
                "only this distribution may read: " + read);

        JsonNode oac = one("AWS::CloudFront::OriginAccessControl", "Console").getValue().path("Properties")
                .path("OriginAccessControlConfig");
        assertEquals("s3", oac.path("OriginAccessControlOriginType").asText());
        assertEquals("always", oac.path("SigningBehavior").asText());
        assertEquals("sigv4", oac.path("SigningProtocol").asText());
    }

    @Test
    void distributionIsHttpsOnlyWithSecurityHeadersAccessLogsAndTheApiOnItsOwnOrigin() {
        JsonNode cfg = one("AWS::CloudFront::Distribution", "ConsoleCdn").getValue().path("Properties")
                .path("DistributionConfig");
        String headersPolicy = one("AWS::CloudFront::ResponseHeadersPolicy", "ConsoleSecurityHeaders").getKey();
        assertEquals("index.html", cfg.path("DefaultRootObject").asText());
        assertTrue(cfg.path("Logging").has("Bucket"), "access logs");
        JsonNode def = cfg.path("DefaultCacheBehavior");
        assertEquals("redirect-to-https", def.path("ViewerProtocolPolicy").asText());
        assertEquals(headersPolicy, def.path("ResponseHeadersPolicyId").path("Ref").asText());
        assertEquals(1, cfg.path("CacheBehaviors").size());
        JsonNode apiBehavior = cfg.path("CacheBehaviors").path(0);
        assertEquals(Console.API_PATH + "/*", apiBehavior.path("PathPattern").asText());
        assertEquals("https-only", apiBehavior.path("ViewerProtocolPolicy").asText());
        assertEquals(headersPolicy, apiBehavior.path("ResponseHeadersPolicyId").path("Ref").asText());
        String consoleApi = consoleApiId();
        JsonNode apiOrigin = null;
        for (JsonNode o : cfg.path("Origins")) {
            if (o.path("Id").asText().equals(apiBehavior.path("TargetOriginId").asText())) {
                apiOrigin = o;
            } else {
                assertTrue(o.path("OriginAccessControlId").has("Fn::GetAtt"), "S3 origin without OAC: " + o);
                assertEquals("", o.path("S3OriginConfig").path("OriginAccessIdentity").asText(), "no legacy OAI");
            }
        }
        assertTrue(apiOrigin != null && apiOrigin.path("DomainName").toString().contains(consoleApi), cfg.toString());
        assertEquals("https-only", apiOrigin.path("CustomOriginConfig").path("OriginProtocolPolicy").asText());

        JsonNode security = synth.resources("AWS::CloudFront::ResponseHeadersPolicy").get(headersPolicy)
                .path("Properties").path("ResponseHeadersPolicyConfig").path("SecurityHeadersConfig");
        assertEquals("DENY", security.path("FrameOptions").path("FrameOption").asText());
        assertTrue(security.path("ContentTypeOptions").path("Override").asBoolean());
        assertTrue(security.path("StrictTransportSecurity").path("AccessControlMaxAgeSec").asInt() >= 31_536_000);
        assertEquals("no-referrer", security.path("ReferrerPolicy").path("ReferrerPolicy").asText());
        String csp = render(security.path("ContentSecurityPolicy").path("ContentSecurityPolicy"));
        Map<String, List<String>> directives = new LinkedHashMap<>();
        for (String d : csp.split(";")) {
            List<String> words = List.of(d.trim().split("\\s+"));
            directives.put(words.get(0), words.subList(1, words.size()));
        }
        assertEquals(List.of("'self'"), directives.get("default-src"));
        assertEquals(List.of("'self'"), directives.get("script-src"));
        assertEquals(List.of("'self'"), directives.get("style-src"));
        assertEquals(List.of("'none'"), directives.get("frame-ancestors"));
        assertEquals(List.of("'none'"), directives.get("object-src"));
        // Every source is the console itself, the sign-in domain or one of the two data buckets (presigned
        // URLs): no wildcard host, no inline script, no other origin.
        String drop = "https://motflow-dev-drop-{Ref:AWS::AccountId}-{Ref:AWS::Region}.s3.{Ref:AWS::Region}.{Ref:AWS::URLSuffix}";
        for (Map.Entry<String, List<String>> d : directives.entrySet()) {
            for (String source : d.getValue()) {
                boolean allowed = Set.of("'self'", "'none'", "data:", "blob:").contains(source)
                        || source.startsWith("https://{Ref:ConsoleUsersHostedUi")
                        || source.equals(drop)
                        || source.matches("https://\\{Fn::GetAtt:\\[StorageResults[A-Za-z0-9]+,RegionalDomainName]}");
                assertTrue(allowed, d.getKey() + " allows " + source + " (CSP: " + csp + ")");
                assertFalse(source.contains("*") || source.contains("unsafe"), source);
            }
        }
        assertTrue(directives.get("connect-src").contains(drop), "presigned PUT uploads: " + csp);
    }

    @Test
    void userPoolIsAdminOnlyWithTotpMfaStrongPasswordsAndThreatProtection() {
        JsonNode pool = one("AWS::Cognito::UserPool", "ConsoleUsers").getValue().path("Properties");
        assertTrue(pool.path("AdminCreateUserConfig").path("AllowAdminCreateUserOnly").asBoolean(), "self sign-up off");
        assertEquals("ON", pool.path("MfaConfiguration").asText());
        assertEquals("[\"SOFTWARE_TOKEN_MFA\"]", pool.path("EnabledMfas").toString());
        JsonNode pw = pool.path("Policies").path("PasswordPolicy");
        assertTrue(pw.path("MinimumLength").asInt() >= 12);
        for (String f : List.of("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")) {
            assertTrue(pw.path(f).asBoolean(), f);
        }
        assertEquals("ENFORCED", pool.path("UserPoolAddOns").path("AdvancedSecurityMode").asText());
        assertEquals("PLUS", pool.path("UserPoolTier").asText());
        JsonNode domain = one("AWS::Cognito::UserPoolDomain", "ConsoleUsersHostedUi").getValue().path("Properties");
        assertTrue(domain.path("Domain").toString().contains("motflow-dev"), domain.toString());
    }

    @Test
    void appClientIsPublicCodeGrantWithTheConsoleAsCallback() {
        JsonNode client = one("AWS::Cognito::UserPoolClient", "ConsoleUsersConsoleClient").getValue().path("Properties");
        assertFalse(client.path("GenerateSecret").asBoolean(), "a browser app keeps no secret (PKCE instead)");
        assertEquals("[\"code\"]", client.path("AllowedOAuthFlows").toString());
        assertTrue(client.path("AllowedOAuthFlowsUserPoolClient").asBoolean());
        assertEquals("[\"COGNITO\"]", client.path("SupportedIdentityProviders").toString());
        assertEquals(List.of("ALLOW_REFRESH_TOKEN_AUTH"), Synthesized.strings(client.path("ExplicitAuthFlows")),
                "no password flows outside the hosted UI");
        String distribution = one("AWS::CloudFront::Distribution", "ConsoleCdn").getKey();
        assertEquals(1, client.path("CallbackURLs").size());
        String callback = render(client.path("CallbackURLs").path(0));
        assertEquals("https://{Fn::GetAtt:[" + distribution + ",DomainName]}/", callback);
    }

    @Test
    void consoleApiAcceptsThePoolsJwtOnTheConsoleRoutesOnTheSameLambdaAliases() {
        String api = consoleApiId();
        JsonNode authorizer = synth.resources("AWS::ApiGatewayV2::Authorizer").values().stream()
                .filter(a -> a.path("Properties").path("ApiId").path("Ref").asText().equals(api)).findFirst()
                .orElseThrow().path("Properties");
        assertEquals("JWT", authorizer.path("AuthorizerType").asText());
        String pool = one("AWS::Cognito::UserPool", "ConsoleUsers").getKey();
        String client = one("AWS::Cognito::UserPoolClient", "ConsoleUsersConsoleClient").getKey();
        assertTrue(authorizer.path("JwtConfiguration").path("Issuer").toString().contains(pool));
        assertEquals("[{\"Ref\":\"" + client + "\"}]", authorizer.path("JwtConfiguration").path("Audience").toString());

        Map<String, JsonNode> integrations = synth.resources("AWS::ApiGatewayV2::Integration");
        Map<String, String> iamTargets = new LinkedHashMap<>();
        Map<String, String> consoleTargets = new LinkedHashMap<>();
        synth.resources("AWS::ApiGatewayV2::Route").values().forEach(r -> {
            JsonNode p = r.path("Properties");
            String target = p.path("Target").toString();
            String integration = integrations.keySet().stream().filter(target::contains).findFirst().orElseThrow();
            String uri = integrations.get(integration).path("Properties").path("IntegrationUri").toString();
            if (p.path("ApiId").path("Ref").asText().equals(api)) {
                assertEquals("JWT", p.path("AuthorizationType").asText(), p.toString());
                consoleTargets.put(p.path("RouteKey").asText(), uri);
            } else {
                iamTargets.put(p.path("RouteKey").asText(), uri);
            }
        });
        assertEquals(Set.of("GET /jobs", "POST /jobs", "GET /jobs/{id}", "GET /jobs/{id}/tracks", "POST /retraining",
                "GET /retraining/runs", "GET /retraining/models", "GET /streams/{streamId}"), consoleTargets.keySet());
        consoleTargets.forEach((route, uri) -> assertEquals(iamTargets.get(route), uri,
                route + " must reach the same alias as on the IAM API"));

        JsonNode stage = synth.resources("AWS::ApiGatewayV2::Stage").values().stream()
                .filter(s -> s.path("Properties").path("ApiId").path("Ref").asText().equals(api)).findFirst()
                .orElseThrow().path("Properties");
        assertEquals(Console.API_PATH.substring(1), stage.path("StageName").asText());
        assertTrue(stage.path("AccessLogSettings").has("DestinationArn"));
        assertTrue(stage.path("DefaultRouteSettings").path("ThrottlingRateLimit").asInt() > 0);
    }

    @Test
    void dropAndResultsBucketsAcceptTheBrowsersPresignedRequests() {
        String distribution = one("AWS::CloudFront::Distribution", "ConsoleCdn").getKey();
        JsonNode drop = one("AWS::S3::Bucket", "StorageDrop").getValue().path("Properties")
                .path("CorsConfiguration").path("CorsRules");
        assertEquals(1, drop.size());
        assertEquals("[\"https://{Fn::GetAtt:[" + distribution + ",DomainName]}\"]",
                "[\"" + render(drop.path(0).path("AllowedOrigins").path(0)) + "\"]");
        assertEquals(Set.of("PUT", "GET", "HEAD"), new TreeSet<>(Synthesized.strings(drop.path(0).path("AllowedMethods"))));
        JsonNode results = one("AWS::S3::Bucket", "StorageResults").getValue().path("Properties")
                .path("CorsConfiguration").path("CorsRules");
        assertEquals(Set.of("GET", "HEAD"), new TreeSet<>(Synthesized.strings(results.path(0).path("AllowedMethods"))));
    }

    @Test
    void deploymentCopiesTheFilesAndAConfigWithTheApiPoolClientAndDomainUnderANarrowRole() {
        JsonNode deploy = one("Custom::CDKBucketDeployment", "ConsoleDeploy").getValue().path("Properties");
        String assets = one("AWS::S3::Bucket", "ConsoleAssets").getKey();
        assertEquals(assets, deploy.path("DestinationBucketName").path("Ref").asText());
        assertEquals(2, deploy.path("SourceObjectKeys").size(), "the console files and config.json");
        String markers = deploy.path("SourceMarkers").toString();
        for (String ref : List.of(one("AWS::Cognito::UserPool", "ConsoleUsers").getKey(),
                one("AWS::Cognito::UserPoolClient", "ConsoleUsersConsoleClient").getKey(),
                one("AWS::Cognito::UserPoolDomain", "ConsoleUsersHostedUi").getKey(),
                one("AWS::CloudFront::Distribution", "ConsoleCdn").getKey())) {
            assertTrue(markers.contains(ref), "config.json lacks " + ref + ": " + markers);
        }
        assertTrue(deploy.has("DistributionId"), "the CDN cache is invalidated after a deployment");

        String role = one("AWS::IAM::Role", "ConsoleDeployRole").getKey();
        Set<String> actions = new TreeSet<>();
        synth.resources("AWS::IAM::Policy").values().forEach(p -> {
            if (p.path("Properties").path("Roles").toString().contains("\"" + role + "\"")) {
                p.path("Properties").path("PolicyDocument").path("Statement").forEach(st -> {
                    actions.addAll(Synthesized.strings(st.path("Action")));
                    Synthesized.strings(st.path("Resource")).forEach(r -> assertFalse(r.equals("*"), st.toString()));
                    if (Synthesized.strings(st.path("Action")).contains("s3:PutObject")) {
                        assertEquals("[{\"Fn::Join\":[\"\",[{\"Fn::GetAtt\":[\"" + assets + "\",\"Arn\"]},\"/*\"]]}]",
                                st.path("Resource").isArray() ? st.path("Resource").toString()
                                        : "[" + st.path("Resource") + "]", "writes only the console bucket");
                    }
                });
            }
        });
        assertEquals(Set.of("logs:CreateLogStream", "logs:PutLogEvents", "s3:GetObject", "s3:ListBucket",
                "s3:PutObject", "s3:DeleteObject", "cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"),
                actions);
    }

    /** Without a console folder the deployment serves a placeholder page; with one, its files. */
    @Test
    void consoleFolderIsDeployedOrAPlaceholderWhenItIsMissing() throws IOException {
        Path withFiles = Files.createTempDirectory("console");
        Files.writeString(withFiles.resolve("index.html"), "<!doctype html><title>t</title>");
        Files.writeString(withFiles.resolve("motflow-console-test.js"), "console.log(1)");
        Path staged = stageConsole(withFiles);
        assertTrue(containsFile(staged, "motflow-console-test.js"), "the folder's files are an asset");
        assertFalse(containsText(staged, "has not been built"));

        Path missing = withFiles.resolveSibling(withFiles.getFileName() + "-missing");
        Path placeholder = stageConsole(missing);
        assertFalse(containsFile(placeholder, "motflow-console-test.js"));
        assertTrue(containsText(placeholder, "has not been built"), "placeholder index.html");
    }

    /** A bare stack with Storage and the Console only (quick), synthesized; returns the assembly folder. */
    private static Path stageConsole(Path consoleDir) throws IOException {
        Path out = Files.createTempDirectory("console-out");
        App app = new App(AppProps.builder().outdir(out.toString()).context(MotflowApp.FEATURE_FLAGS).build());
        Stack stack = new Stack(app, "ConsoleOnly");
        MotflowConfig cfg = MotflowConfig.defaults();
        Storage storage = new Storage(stack, "Storage", cfg);
        var fn = Function.fromFunctionArn(stack, "Fn", "arn:aws:lambda:eu-west-1:111111111111:function:f:live");
        Console console = new Console(stack, "Console", cfg, consoleDir, storage,
                Map.of("/jobs", new Console.Route("Jobs", List.of(HttpMethod.GET), fn)));
        Template.fromStack(stack);
        app.synth();
        assertTrue(console.url().contains("Token") || console.url().startsWith("https://"));
        return out;
    }

    private static boolean containsFile(Path dir, String name) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().equals(name));
        }
    }

    private static boolean containsText(Path dir, String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".html"))
                    .anyMatch(p -> {
                        try {
                            return Files.readString(p).contains(text);
                        } catch (IOException e) {
                            return false;
                        }
                    });
        }
    }

    private String consoleApiId() {
        return synth.resources("AWS::ApiGatewayV2::Api").entrySet().stream()
                .filter(e -> e.getValue().path("Properties").path("Name").asText()
                        .equals(synth.stack.config().prefix() + "-console-api"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /**
     * A CloudFormation value as text: Fn::Join flattened, other intrinsics written compactly as
     * {Ref:X} / {Fn::GetAtt:[X,Y]} so that tests can compare them with strings.
     */
    static String render(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.has("Fn::Join")) {
            String sep = v.path("Fn::Join").path(0).asText();
            List<String> parts = new ArrayList<>();
            v.path("Fn::Join").path(1).forEach(p -> parts.add(render(p)));
            if (sep.isEmpty()) {
                return String.join("", parts);
            }
            return String.join(sep, parts);
        }
        if (v.has("Ref")) {
            return "{Ref:" + v.path("Ref").asText() + "}";
        }
        if (v.has("Fn::GetAtt")) {
            return "{Fn::GetAtt:[" + v.path("Fn::GetAtt").path(0).asText() + "," + v.path("Fn::GetAtt").path(1).asText() + "]}";
        }
        return v.toString().replace("\"", "");
    }
}
