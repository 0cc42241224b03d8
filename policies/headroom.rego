# Quota headroom: warn when a placed dimension or a ledger window leaves less than 20% of its free amount
# (the threshold may come from data.policy.headroom).
package main

import data.lib

default threshold := 0.2

threshold := data.policy.headroom

warn_quota_headroom contains msg if {
	some a in lib.assignments
	some dimension, used in object.get(a, "utilisation", {})
	used > 1 - threshold
	msg := {
		"msg": sprintf("workload %s uses %.0f%% of the free %s on %s", [a.workload, used * 100, dimension, a.offering]),
		"workload": a.workload,
	}
}

warn_quota_headroom contains msg if {
	some q in object.get(input, "quota", [])
	is_number(q.limit)
	q.limit > 0
	q.used / q.limit > 1 - threshold
	msg := sprintf("%s %s %s: %v of %v used", [q.provider, q.pool, q.dimension, q.used, q.limit])
}
