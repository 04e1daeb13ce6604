-- Argo CD health check for cinder.operator.dev/CinderCluster.
-- Install it under resource.customizations.health.cinder.operator.dev_CinderCluster in argocd-cm
-- (see docs/gitops.md). Same order as kstatus: an unobserved spec first, then Stalled, Paused, Ready.
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function messageOr(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for cinder-operator to observe the CinderCluster"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for cinder-operator to observe generation " .. tostring(generation)
    .. " (observed " .. tostring(obj.status.observedGeneration) .. ")"
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = messageOr(stalled, "Stalled: " .. tostring(stalled.reason))
  return hs
end

if obj.status.phase == "Paused" then
  hs.status = "Suspended"
  local reconciling = condition("Reconciling")
  hs.message = messageOr(reconciling, "Upgrade paused (spec.upgrade.paused is true)")
  return hs
end

local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = messageOr(ready, "Ready")
  return hs
end

hs.status = "Progressing"
hs.message = messageOr(condition("Reconciling"), messageOr(ready, "Reconciling"))
return hs
