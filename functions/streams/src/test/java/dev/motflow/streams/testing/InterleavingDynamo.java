package dev.motflow.streams.testing;

import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A DynamoDB client that runs a hook right after a read returns and before the reader's write:
 * exactly the window in which a concurrent request can change the item. Counts the writes.
 */
public final class InterleavingDynamo implements DynamoDbClient {
    private final DynamoDbClient delegate;
    private volatile Runnable afterRead = () -> { };
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger puts = new AtomicInteger();

    public InterleavingDynamo(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code hook} after each of the next reads (until replaced). */
    public void afterRead(Runnable hook) {
        this.afterRead = hook == null ? () -> { } : hook;
    }

    public int reads() {
        return reads.get();
    }

    public int puts() {
        return puts.get();
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        GetItemResponse r = delegate.getItem(request);
        reads.incrementAndGet();
        afterRead.run();
        return r;
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        puts.incrementAndGet();
        return delegate.putItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        return delegate.deleteItem(request);
    }

    /** The stream list entries (written when a stream starts): passed through, not counted. */
    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return delegate.updateItem(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        // the delegate is shared
    }
}
