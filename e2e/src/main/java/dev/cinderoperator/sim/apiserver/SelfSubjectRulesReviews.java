package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;

/**
 * SelfSubjectRulesReviews as a cluster-admin gets them: everything allowed. This server has no
 * authorizer; {@code RbacE2ETest} checks the operator's calls against the chart instead.
 */
final class SelfSubjectRulesReviews {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SelfSubjectRulesReviews() {}

  /** The review posted in {@code body}, answered with every verb on every resource and URL. */
  static MockResponse allowAll(String body) {
    try {
      ObjectNode review = (ObjectNode) JSON.readTree(body);
      ObjectNode status = review.putObject("status");
      ObjectNode rule = status.putArray("resourceRules").addObject();
      rule.putArray("verbs").add("*");
      rule.putArray("apiGroups").add("*");
      rule.putArray("resources").add("*");
      ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
      nonResource.putArray("verbs").add("*");
      nonResource.putArray("nonResourceURLs").add("*");
      status.put("incomplete", false);
      return new MockResponse().setResponseCode(201).setBody(review.toString());
    } catch (IOException | ClassCastException e) {
      return new MockResponse().setResponseCode(400);
    }
  }
}
