package dev.cinderoperator.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.traffic.TrafficClient.Outage;
import dev.cinderoperator.traffic.TrafficClient.Outcome;
import dev.cinderoperator.traffic.TrafficClient.Phase;
import dev.cinderoperator.traffic.TrafficClient.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficReportTest {
  static final long S = 1_000_000_000L;

  static Request request(long sentSeconds, String failure) {
    return new Request(
        Phase.DURING, "create volume", sentSeconds * S, sentSeconds * S, S / 10, 500, failure);
  }

  static TrafficReport report(List<Request> requests, List<Outcome> outcomes, List<Outage> o) {
    return TrafficReport.of(
        requests, outcomes, o, TrafficClient.Settings.defaults(), List.of("fake"), 60, 1.0, 50.0);
  }

  @Test
  void failuresInsideAnOutageWindowAreCountedApartFromTheOthers() {
    Outage bus = new Outage("RabbitMQ", 10 * S, 30 * S);
    TrafficReport r =
        report(
            List.of(request(5, null), request(12, "HTTP 500"), request(31, "HTTP 503")),
            List.of(),
            List.of(bus));

    assertThat(r.failedRequests()).isEqualTo(2);
    assertThat(r.outages())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.what()).isEqualTo("RabbitMQ");
              assertThat(o.failedRequests()).isEqualTo(1);
            });
    assertThat(r.failuresOutsideOutages()).isEqualTo(1);
    assertThat(r.failures()).anySatisfy(f -> assertThat(f).startsWith("at 31.0 s: "));
  }

  @Test
  void aResourceWhoseLifeOverlapsAnOutageCountsInsideIt() {
    Outage db = new Outage("MariaDB", 10 * S, 20 * S);
    Outcome stuckAcross =
        new Outcome(Phase.DURING, "volume", "/volumes/1", "stuck", "creating", 5 * S, 95 * S);
    Outcome errorLater =
        new Outcome(Phase.AFTER, "volume", "/volumes/2", "error", "error", 40 * S, 45 * S);
    Outcome fine = new Outcome(Phase.DURING, "volume", "/volumes/3", "ok", "available", 0, S);
    TrafficReport r = report(List.of(), List.of(stuckAcross, errorLater, fine), List.of(db));

    assertThat(r.outages()).singleElement().satisfies(o -> assertThat(o.resourcesFailed()).isOne());
    assertThat(r.failuresOutsideOutages()).isOne();
    assertThat(r.resourcesReached()).containsEntry("volume", 1);
  }

  @Test
  void aRequestOfAUserWhoseFlowAnOutageBrokeCountsInsideIt() {
    Outage db = new Outage("MariaDB", 10 * S, 20 * S);
    // the user started during the outage; deleting its volume stuck in creating fails later
    Request delete =
        new Request(Phase.DURING, "delete volume", 15 * S, 110 * S, S / 10, 400, "HTTP 400");
    TrafficReport r = report(List.of(delete), List.of(), List.of(db));

    assertThat(r.outages()).singleElement().satisfies(o -> assertThat(o.failedRequests()).isOne());
    assertThat(r.failuresOutsideOutages()).isZero();
  }

  @Test
  void aRequestInFlightWhenTheOutageBeganCountsInsideIt() {
    Outage db = new Outage("MariaDB", 10 * S, 20 * S);
    // sent just before the stop, answered 500 once the database was gone
    Request inFlight =
        new Request(Phase.DURING, "show volume", 9 * S, 9 * S + S / 2, S, 500, "HTTP 500");
    TrafficReport r = report(List.of(inFlight), List.of(), List.of(db));

    assertThat(r.outages()).singleElement().satisfies(o -> assertThat(o.failedRequests()).isOne());
    assertThat(r.failuresOutsideOutages()).isZero();
  }

  @Test
  void withoutOutagesEveryFailureIsOutside() {
    TrafficReport r = report(List.of(request(1, "refused")), List.of(), List.of());

    assertThat(r.outages()).isEmpty();
    assertThat(r.failuresOutsideOutages()).isEqualTo(r.failedRequests()).isOne();
  }
}
