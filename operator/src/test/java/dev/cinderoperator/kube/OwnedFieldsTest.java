package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OwnedFieldsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  static final String DESIRED =
      "{'metadata':{'labels':{'a':'1'}},'spec':{'replicas':2,'template':{'spec':{"
          + "'containers':[{'name':'cinder','image':'c:1','tty':false,"
          + "'resources':{'requests':{'cpu':'1000m'}},"
          + "'securityContext':{'allowPrivilegeEscalation':false}}]}}}}";

  @Test
  void apiServerDefaultsAndZeroValuesAreNotDrift() throws Exception {
    JsonNode live =
        json(
            "{'metadata':{'labels':{'a':'1','extra':'x'},'annotations':{'deployment.kubernetes.io/revision':'3'}},"
                + "'spec':{'replicas':2,'revisionHistoryLimit':10,'template':{'spec':{"
                + "'dnsPolicy':'ClusterFirst','containers':[{'name':'cinder','image':'c:1',"
                + "'terminationMessagePath':'/dev/termination-log',"
                + "'resources':{'requests':{'cpu':'1'}},"
                + "'securityContext':{'allowPrivilegeEscalation':false}}]}}},'status':{'replicas':2}}");
    assertThat(OwnedFields.differences(json(DESIRED), live)).isEmpty();
  }

  @Test
  void changedValuesAddedListElementsAndAddedSecurityFieldsAreDrift() throws Exception {
    JsonNode live =
        json(
            "{'metadata':{'labels':{'a':'1'}},'spec':{'replicas':0,'template':{'spec':{"
                + "'containers':[{'name':'cinder','image':'evil:1',"
                + "'resources':{'requests':{'cpu':'2'}},"
                + "'securityContext':{'allowPrivilegeEscalation':false,'privileged':true}},"
                + "{'name':'sidecar','image':'x'}]}}}}");
    assertThat(OwnedFields.differences(json(DESIRED), live))
        .containsExactly("spec.replicas", "spec.template.spec.containers");
    JsonNode oneContainer =
        json(
            "{'metadata':{'labels':{'a':'1'}},'spec':{'replicas':2,'template':{'spec':{"
                + "'containers':[{'name':'cinder','image':'evil:1',"
                + "'resources':{'requests':{'cpu':'2'}},"
                + "'securityContext':{'allowPrivilegeEscalation':false,'privileged':true}}]}}}}");
    assertThat(OwnedFields.differences(json(DESIRED), oneContainer))
        .containsExactly(
            "spec.template.spec.containers[0].image",
            "spec.template.spec.containers[0].resources.requests.cpu",
            "spec.template.spec.containers[0].securityContext.privileged");
  }

  @Test
  void aRemovedLabelIsDrift() throws Exception {
    JsonNode live =
        json(
            "{'metadata':{},'spec':{'replicas':2,'template':{'spec':{"
                + "'containers':[{'name':'cinder','image':'c:1','resources':{'requests':{'cpu':'1'}},"
                + "'securityContext':{'allowPrivilegeEscalation':false}}]}}}}");
    assertThat(OwnedFields.differences(json(DESIRED), live)).containsExactly("metadata.labels");
  }
}
