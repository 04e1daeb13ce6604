package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Consumer;

/**
 * The simulated API server's store: Fabric8's CRUD dispatcher made as strict as a real API server
 * and with an indexed store.
 *
 * <p><b>Strict.</b> Every write (create, update, patch, status) passes one gate, {@link
 * #processEvent}: the {@link Admission} defaults, decodes against the official schema and validates
 * it as Kubernetes does, and a refusal answers with the real status code and message while nothing
 * is stored. Every removal from the store passes the same gate and hands the object's dependents to
 * the {@link GarbageCollector}.
 *
 * <p><b>Observed and faulty on purpose.</b> Every request passes {@link #dispatch} first: the
 * {@link FaultInjector} may answer it with a fault instead, the {@link AuditLog} records who sent
 * it and what it was answered, and pod removals are reported with the store as it is right after
 * them. Besides the stock routes it serves the pods/eviction subresource with PodDisruptionBudget
 * checks ({@link Evictions}) and SelfSubjectRulesReviews ({@link SelfSubjectRulesReviews}).
 *
 * <p><b>Indexed.</b> Fabric8's CRUD dispatcher with an indexed store. The stock one scans every
 * stored object for each GET, POST, PUT, PATCH and DELETE, so a request costs O(objects) on the
 * server's single event loop; at 100 clusters (2,900 pods) that loop saturated and the clusters
 * never became Ready. Here the store is an {@link IndexedObjectMap} and the lookups that scanned
 * (find by key, get, list, delete) ask it for the few candidates. Everything else (create, update,
 * patch, status, watches, finalizers) is the stock code, which reads and writes the same store. A
 * watch resumed from a resourceVersion also hears of the deletions since ({@link WatchResumption}).
 *
 * <p>Fabric8 offers no hook for the store: {@link StockStore} swaps the map by reflection.
 */
public final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
  private final IndexedObjectMap objects = new IndexedObjectMap(List.of(Labels.INSTANCE));
  private final StockStore stock;
  private final ReadWriteLock lock;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private final KubernetesResponseComposer composer = new KubernetesResponseComposer();
  private final Admission admission = new Admission();
  private final GarbageCollector garbageCollector;

  /** What the gate stored for the write being served on this thread, when it defaulted. */
  private final ThreadLocal<String> defaulted = new ThreadLocal<>();

  /** The propagation policy of the DELETE being served on this thread. */
  private final ThreadLocal<String> propagation = new ThreadLocal<>();

  /** The request being served on this thread (none on the garbage collector's). */
  private final ThreadLocal<ApiRequest> serving = new ThreadLocal<>();

  private final AuditLog audit = new AuditLog();
  private final FaultInjector faults = new FaultInjector();
  private final WatchResumption resumption = new WatchResumption();
  private final Evictions evictions;
  private final StoreView storeView;
  private volatile Consumer<PodRemoval> podRemovals = r -> {};

  public IndexedCrudDispatcher() {
    super(List.of());
    stock = new StockStore(this, objects);
    lock = stock.lock;
    storeView = new StoreView(objects, lock.readLock(), attributeExtractor, this::handleDelete);
    evictions = new Evictions(storeView);
    garbageCollector =
        new GarbageCollector(
            new GarbageCollector.Store() {
              @Override
              public void delete(String path) {
                handleDelete(path);
              }

              @Override
              public void removeOwnerReference(String path, String ownerUid) {
                rewrite(path, metadata -> GarbageCollector.dropOwnerReference(metadata, ownerUid));
              }
            });
  }

  /**
   * The one gate every write and removal of the store passes (the stock handlers call it under the
   * write lock, after they have built the new state): admission first, then the stock store and its
   * watch events, then the garbage collector's bookkeeping.
   */
  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    String oldState = oldAttributes == null ? null : objects.get(oldAttributes);
    if (newState == null) {
      super.processEvent(path, pathAttributes, oldAttributes, resource, null);
      if (oldState != null) {
        // a deletion moves the version, as on a real server, so a watch can be resumed past it
        resumption.removed(oldAttributes, oldState, stock.resourceVersion.incrementAndGet());
        JsonNode removed = readTree(oldState);
        garbageCollector.removed(removed, "Orphan".equals(propagation.get()));
        if ("Pod".equals(removed.path("kind").asText())) {
          podRemovals.accept(new PodRemoval(serving.get(), removed, storeView));
        }
      }
      return;
    }
    Admission.Admitted admitted = admission.admit(oldState, newState);
    GenericKubernetesResource stored = resource;
    if (!admitted.json().equals(newState)) {
      stored = Serialization.unmarshal(admitted.json(), GenericKubernetesResource.class);
      defaulted.set(admitted.json());
    }
    super.processEvent(path, pathAttributes, oldAttributes, stored, admitted.json());
    String plural = pathAttributes.getAttribute("plural").getValues().get(0).toString();
    garbageCollector.stored(GarbageCollector.pathOf(plural, admitted.object()), admitted.object());
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store holds JSON that does not parse", e);
    }
  }

  /**
   * Every request: the fault injector's decision, then the stock routes (or evictions and rules
   * reviews), then the audit record; a watch's stream is handed to the injector so it can be cut.
   */
  @Override
  public MockResponse dispatch(RecordedRequest request) {
    ApiRequest r = ApiRequest.of(request);
    FaultInjector.Decision decision = faults.decide(r);
    Fault fault = decision.fault();
    if (fault == Fault.CONFLICT) {
      otherWriterTouches(r);
    }
    if (fault != null && fault.replacesAnswer()) {
      audit.record(r, fault.code(), fault);
      return faults.answer(fault, r);
    }
    MockResponse response;
    serving.set(r);
    try {
      response = serve(request, r);
    } finally {
      serving.remove();
    }
    audit.record(r, response.code(), fault);
    if (fault == Fault.LOST_RESPONSE) {
      return faults.lose(response);
    }
    if (!r.watch()) {
      return response;
    }
    Object listener = response.getWebSocketListener();
    return faults.track(r, response, () -> endWatch(listener));
  }

  /**
   * Takes an ended watch's stock listener out of those every change is sent to. The stock code
   * first stops the listener's sender and only then takes it out, so a write stored in between
   * failed on the stopped sender: no answer at all, and the client's retry of a create got 409
   * AlreadyExists (seen in CI). Under the write lock, as every change is sent under it.
   */
  private void endWatch(Object listener) {
    lock.writeLock().lock();
    try {
      stock.watchListeners.remove(listener);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private MockResponse serve(RecordedRequest request, ApiRequest r) {
    ApiCall call = r.call();
    if ("create".equals(call.verb())
        && "pods".equals(call.resource())
        && "eviction".equals(call.subresource())) {
      return locked(
          lock.writeLock(),
          () -> evictions.evict(call.namespace(), call.name(), request.getUtf8Body()));
    }
    if ("create".equals(call.verb()) && "selfsubjectrulesreviews".equals(call.resource())) {
      return SelfSubjectRulesReviews.allowAll(request.getUtf8Body());
    }
    if ("update".equals(call.verb()) && call.name() != null) {
      return locked(
          lock.writeLock(),
          () -> {
            Optional<JsonNode> stored = peek(objectPath(call));
            MockResponse stale =
                stored.isEmpty()
                    ? null
                    : Preconditions.staleVersion(
                        readTree(bodyOf(request)), stored.get(), call, call.name());
            return stale != null ? stale : super.dispatch(request);
          });
    }
    if (!"DELETE".equalsIgnoreCase(request.getMethod())) {
      return super.dispatch(request);
    }
    DeleteOptions options = DeleteOptions.of(request);
    if (call.name() != null && options.preconditions().isObject()) {
      Optional<JsonNode> stored = peek(call.path()); // none: the stock route answers 404
      MockResponse refused =
          stored.isEmpty()
              ? null
              : Preconditions.unmet(
                  options.preconditions(), stored.get(), call.resource(), call.name());
      if (refused != null) {
        return refused;
      }
    }
    propagation.set(options.propagationPolicy());
    try {
      return super.dispatch(request);
    } finally {
      propagation.remove();
    }
  }

  /**
   * A conflict is real: another writer changes the object (an annotation) just before the request
   * is refused, so the client's next read sees a newer version, as after a real 409.
   */
  private void otherWriterTouches(ApiRequest r) {
    rewrite(
        objectPath(r.call()),
        metadata -> {
          metadata
              .withObject("annotations")
              .put("sim.cinder.operator.dev/other-writer", String.valueOf(audit.lastSeq()));
        });
  }

  /** The request's body, left unread for the stock handler (getUtf8Body would consume it). */
  private static String bodyOf(RecordedRequest request) {
    return request.getBody() == null
        ? "{}"
        : new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The path of the object a call is about (without its subresource). */
  private static String objectPath(ApiCall call) {
    String path = call.path();
    return call.subresource() == null
        ? path
        : path.substring(0, path.length() - call.subresource().length() - 1);
  }

  /**
   * Rewrites the stored object at {@code path} as another writer would: its metadata edited, a new
   * resourceVersion, through the gate (whose watch events and garbage collection follow).
   */
  private void rewrite(String path, Consumer<ObjectNode> editMetadata) {
    locked(
        lock.writeLock(),
        () -> {
          AttributeSet query = attributeExtractor.fromPath(path);
          List<Map.Entry<AttributeSet, String>> found = objects.matching(query);
          if (found.isEmpty()) {
            return null;
          }
          ObjectNode node = (ObjectNode) readTree(found.get(0).getValue());
          ObjectNode metadata = (ObjectNode) node.get("metadata");
          editMetadata.accept(metadata);
          metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
          String json = node.toString();
          processEvent(
              path,
              query,
              found.get(0).getKey(),
              Serialization.unmarshal(json, GenericKubernetesResource.class),
              json);
          return null;
        });
  }

  /**
   * The stored object at an API path, read without a request (safe from a fault rule, which runs on
   * the server's own thread where a client request would wait for itself).
   */
  public Optional<JsonNode> peek(String path) {
    return storeView.get(path).map(JsonNode::deepCopy);
  }

  /** Who sent what, and what each request was answered. */
  public AuditLog audit() {
    return audit;
  }

  /** The one place faults come from. */
  public FaultInjector faults() {
    return faults;
  }

  /** Told of every pod removal, synchronously, on the thread that removed it. */
  public void onPodRemoval(Consumer<PodRemoval> listener) {
    this.podRemovals = listener;
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    return refusable(() -> super.handleCreate(request));
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    return refusable(() -> super.handleUpdate(request));
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    return refusable(() -> super.handlePatch(request));
  }

  /**
   * A refusal from the gate becomes the real response (the stock code stored nothing); a write the
   * gate defaulted answers with what was stored, as a real API server answers.
   */
  private MockResponse refusable(java.util.function.Supplier<MockResponse> write) {
    try {
      MockResponse response = write.get();
      String stored = defaulted.get();
      if (stored != null && response.code() / 100 == 2) {
        response.setBody(stored);
      }
      return response;
    } catch (ApiRefusal refusal) {
      return new MockResponse().setResponseCode(refusal.code()).setBody(refusal.body());
    } finally {
      defaulted.remove();
    }
  }

  /** Waits until the garbage collector has acted on every removal so far (tests). */
  public void awaitGarbageCollection() {
    garbageCollector.awaitIdle();
  }

  /** Stops the garbage collector's thread. */
  public void close() {
    garbageCollector.close();
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found = objects.matching(query);
    return found.isEmpty() ? null : found.get(0);
  }

  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=true")) {
      return locked(
          lock.writeLock(),
          () -> {
            MockResponse watch = super.handleGet(path);
            resumption.resume(
                path,
                attributeExtractor.fromPath(path),
                watch.getWebSocketListener(),
                objects::holdsName);
            return watch;
          });
    }
    MockResponse response = locked(lock.readLock(), () -> respond(path, false));
    // an empty list may be an API discovery request, which the stock code answers
    return response != null ? response : super.handleGet(path);
  }

  @Override
  public MockResponse handleDelete(String path) {
    return locked(lock.writeLock(), () -> respond(path, true));
  }

  /** The stock answer to a GET or DELETE; null for an empty GET list. */
  private MockResponse respond(String path, boolean delete) {
    AttributeSet query = attributeExtractor.fromPath(path);
    List<Map.Entry<AttributeSet, String>> found = objects.matching(query);
    if (delete) {
      for (Map.Entry<AttributeSet, String> e : found) {
        stock.processDelete(path, query, e.getKey());
      }
    }
    List<String> bodies = found.stream().map(Map.Entry::getValue).toList();
    if (query.containsKey("name")) {
      return bodies.isEmpty()
          ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(bodies.get(0));
    }
    if (bodies.isEmpty() && !delete) {
      return null;
    }
    return new MockResponse()
        .setResponseCode(200)
        .setBody(composer.compose(bodies, String.valueOf(stock.resourceVersion.get())));
  }

  private static MockResponse locked(Lock lock, java.util.function.Supplier<MockResponse> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}
