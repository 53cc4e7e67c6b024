package dev.motflow.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * Entry point of the CDK app. Offline: {@code ./motflow synth [-c key=value ...]} writes cdk.out/ at
 * the repository root. Under the npm CLI ({@code cdk synth|deploy}, see cdk.json) the output folder
 * and context come from the CLI's environment (CDK_OUTDIR, CDK_CONTEXT_JSON).
 */
public final class MotflowApp {
    /**
     * CDK feature flags the app relies on, set here so that an offline synth and `cdk deploy` (which
     * also reads cdk.json) behave the same.
     */
    static final java.util.Map<String, Object> FEATURE_FLAGS = java.util.Map.of(
            // Access-log delivery through a bucket policy instead of the LogDeliveryWrite ACL
            // (the log bucket has ACLs disabled).
            "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true,
            "@aws-cdk/aws-iam:minimizePolicies", true);

    private MotflowApp() {
    }

    /** The app with its stack(s) and the cdk-nag AwsSolutions checks applied; not yet synthesized. */
    public static App build(Path repoRoot, String outdir, java.util.Map<String, Object> context) {
        java.util.Map<String, Object> ctx = new java.util.LinkedHashMap<>(FEATURE_FLAGS);
        ctx.putAll(context);
        App app = new App(AppProps.builder().outdir(outdir).context(ctx).build());
        MotflowConfig cfg = MotflowConfig.fromContext(app.getNode()::tryGetContext);
        String account = System.getenv("CDK_DEFAULT_ACCOUNT");
        String region = System.getenv("CDK_DEFAULT_REGION");
        StackProps.Builder stackProps = StackProps.builder()
                .description("motflow " + cfg.stage() + ": multiple-object tracking, event-driven on AWS");
        if (account != null && region != null) {
            stackProps.env(Environment.builder().account(account).region(region).build());
        }
        new MotflowStack(app, "Motflow-" + cfg.stage(), stackProps.build(), cfg, repoRoot);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        return app;
    }

    public static void main(String[] args) {
        java.util.Map<String, Object> context = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("-c") || args[i].equals("--context")) && i + 1 < args.length) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("context must be key=value, got '" + kv + "'");
                }
                context.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("usage: synth [-c key=value]...  (unknown argument '" + args[i] + "')");
            }
        }
        Path root = RepoPaths.repoRoot();
        String outdir = System.getenv("CDK_OUTDIR") != null ? System.getenv("CDK_OUTDIR")
                : root.resolve("cdk.out").toString();
        long start = System.nanoTime();
        App app = build(root, outdir, context);
        CloudAssembly assembly = app.synth();
        List<String> findings = new ArrayList<>();
        for (CloudFormationStackArtifact stack : assembly.getStacks()) {
            stack.getMessages().forEach(m -> {
                if (m.getLevel().toString().matches("(?i)error|warning")) {
                    findings.add(m.getLevel() + " " + m.getId() + ": " + m.getEntry().getData());
                }
            });
            System.err.printf("motflow: synthesized %s -> %s%n", stack.getStackName(),
                    Path.of(outdir).resolve(stack.getTemplateFile()));
        }
        System.err.printf("motflow: synth took %.1f s%n", (System.nanoTime() - start) / 1e9);
        if (!findings.isEmpty()) {
            findings.forEach(System.err::println);
            System.err.println("motflow: " + findings.size() + " unsuppressed cdk-nag/CDK findings");
            System.exit(1);
        }
        // jsii's node child process keeps the JVM alive otherwise.
        System.exit(0);
    }

    static String stackName(Stack stack) {
        return stack.getStackName();
    }
}
