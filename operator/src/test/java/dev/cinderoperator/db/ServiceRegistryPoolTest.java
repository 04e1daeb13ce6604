package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.SqlAlchemyUrl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceRegistryPoolTest {
  private final List<FakeServiceRegistry> made = new ArrayList<>();
  private final ServiceRegistryPool pool =
      new ServiceRegistryPool(
          url -> {
            FakeServiceRegistry f = new FakeServiceRegistry();
            made.add(f);
            return f;
          });

  private static SqlAlchemyUrl url(String s) {
    return SqlAlchemyUrl.parse(s).url().orElseThrow();
  }

  @Test
  void oneRegistryPerClusterUntilItsUrlChanges() {
    ServiceRegistry a = pool.forCluster("ns", "a", url("mysql+pymysql://c:p1@db/cinder"));
    assertThat(pool.forCluster("ns", "a", url("mysql+pymysql://c:p1@db/cinder"))).isSameAs(a);
    ServiceRegistry b = pool.forCluster("other", "a", url("mysql+pymysql://c:p1@db/cinder"));
    assertThat(b).isNotSameAs(a);

    ServiceRegistry rotated = pool.forCluster("ns", "a", url("mysql+pymysql://c:p2@db/cinder"));

    assertThat(rotated).as("a new password means a new registry").isNotSameAs(a);
    assertThat(made.get(0).closed).isTrue();
    assertThat(made.get(1).closed).isFalse();
  }

  @Test
  void releaseAndCloseCloseWhatIsOpen() {
    pool.forCluster("ns", "a", url("mysql+pymysql://c:p@db/a"));
    pool.forCluster("ns", "b", url("mysql+pymysql://c:p@db/b"));
    pool.release("ns", "a");
    assertThat(made.get(0).closed).isTrue();
    assertThat(made.get(1).closed).isFalse();
    pool.close();
    assertThat(made.get(1).closed).isTrue();
  }

  @Test
  void reportsTheCircuitOfGuardedRegistries() {
    ServiceRegistryPool guardedPool =
        new ServiceRegistryPool(u -> new GuardedServiceRegistry(new FakeServiceRegistry()));
    guardedPool.forCluster("ns", "a", url("mysql+pymysql://c:p@db/a"));
    assertThat(guardedPool.circuitStates())
        .containsEntry("ns/a", GuardedServiceRegistry.CircuitState.CLOSED);
    guardedPool.close();
  }
}
