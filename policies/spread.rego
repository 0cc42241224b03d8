# Spread for critical workloads: a workload marked critical (critical: true, or labels.critical) with more
# than one replica declares spread: true and is placed on at least two providers.
package main

import data.lib

critical(w) if w.critical == true

critical(w) if w.labels.critical == "true"

deny_spread contains msg if {
	some w in lib.workloads
	critical(w)
	object.get(w, "replicas", 1) > 1
	not w.spread
	msg := {"msg": sprintf("critical workload %s has %d replicas but no spread: true", [w.name, w.replicas]), "workload": w.name}
}

deny_spread contains msg if {
	some w in lib.workloads
	critical(w)
	object.get(w, "replicas", 1) > 1
	placed := [a | some a in lib.assignments; a.workload == w.name]
	count(placed) > 0
	providers := {a.provider | some a in placed}
	count(providers) < 2
	msg := {"msg": sprintf("critical workload %s runs all its replicas on %v; place them on two providers at least", [w.name, providers]), "workload": w.name}
}
