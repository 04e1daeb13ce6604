package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json turns bad values into an error naming the field, before anything renders. */
class ValuesSchemaTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          replicaCount: -1                              | /replicaCount
          replicaCount: two                             | /replicaCount
          logFormat: xml                                | /logFormat
          logLevel: verbose                             | /logLevel
          unpinBySignal: "yes"                          | /unpinBySignal
          reconcileThreads: 0                           | /reconcileThreads
          dbPollInterval: 15                            | /dbPollInterval
          dbPollInterval: fifteen seconds               | /dbPollInterval
          watchNamespaces: openstack                    | /watchNamespaces
          watchNamespaces: [Openstack_Prod]             | /watchNamespaces/0
          image: {pullPolicy: Sometimes}                | /image/pullPolicy
          imagePullSecrets: [regcred]                   | /imagePullSecrets/0
          extraEnv: [{value: x}]                        | /extraEnv/0
          extraEnv: {FOO: bar}                          | /extraEnv
          nodeSelector: [disktype]                      | /nodeSelector
          tolerations: {key: x}                         | /tolerations
          metrics: {service: {port: 70000}}             | /metrics/service/port
          metrics: {serviceMonitor: {enabled: "true"}}  | /metrics/serviceMonitor/enabled
          watchNamespace: [openstack]                   | watchNamespace
          """)
  void rejects(String valuesYaml, String field) {
    assertThatThrownBy(
            () -> RenderedChart.template(ChartDirectory.locate(), valuesYaml + "\n", Map.of()))
        .hasMessageContaining("schema")
        .hasMessageContaining(field);
  }
}
