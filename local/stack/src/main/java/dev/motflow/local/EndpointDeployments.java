package dev.motflow.local;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.motflow.testsupport.sfn.SageMakerLifecycle;

/**
 * Which model the endpoints serve: CreateModel and CreateEndpointConfig are remembered, and when an
 * endpoint reports InService with a new config the serving container switches to that config's
 * model (locally one model serves every endpoint name; an update takes effect at once).
 */
final class EndpointDeployments {
    private final Containers containers;
    private final ModelArtifacts artifacts;
    private final SageMakerLifecycle lifecycle;
    private final Consumer<String> progress;
    private final Map<String, String> modelDataByModel = new ConcurrentHashMap<>();
    private final Map<String, String> modelByConfig = new ConcurrentHashMap<>();
    private volatile String servedConfig;

    EndpointDeployments(Containers containers, ModelArtifacts artifacts, SageMakerLifecycle lifecycle, Consumer<String> progress) {
        this.containers = containers;
        this.artifacts = artifacts;
        this.lifecycle = lifecycle;
        this.progress = progress;
    }

    void modelCreated(String modelName, String modelDataUrl) {
        modelDataByModel.put(modelName, modelDataUrl);
    }

    void configCreated(String configName, String modelName) {
        modelByConfig.put(configName, modelName);
    }

    /** DescribeEndpoint said InService with {@code configName}: serve its model if it is not served yet. */
    void inService(String configName) {
        if (configName != null && !configName.equals(servedConfig)) {
            deploy(configName);
        }
    }

    /** An endpoint in service before this process started (restored from the model registry). */
    void restore(String endpointName, String configName, String modelDataUrl) {
        String model = "restored-" + configName;
        lifecycle.existingEndpoint(endpointName, configName, model, modelDataUrl);
        modelCreated(model, modelDataUrl);
        configCreated(configName, model);
        deploy(configName);
    }

    private void deploy(String config) {
        String model = modelByConfig.get(config);
        String data = model == null ? null : modelDataByModel.get(model);
        if (data == null || data.isEmpty()) {
            return;
        }
        containers.deploy(artifacts.folder(data));
        servedConfig = config;
        progress.accept("endpoint now serves " + data);
    }
}
