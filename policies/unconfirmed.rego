# No unconfirmed quota numbers for production stacks: a production stack (metadata.environment
# or metadata.labels.environment = production) relies only on catalog offerings whose figures are confirmed
# or secondary.
package main

import data.lib

deny_unconfirmed contains msg if {
	lib.production
	some a in lib.assignments
	offering := input.catalog[a.offering]
	offering.confidence == "unconfirmed"
	msg := {
		"msg": sprintf("production workload %s relies on %s, whose quota figures are unconfirmed (%s)", [a.workload, a.offering, object.get(offering, "source", "no source")]),
		"workload": a.workload,
	}
}
