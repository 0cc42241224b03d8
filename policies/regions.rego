# Data residency: every workload is placed in one of its allowed regions (its own `regions`, else the
# stack's). A `global` offering holding data (database, storage) is only a warning: it serves any region
# but does not promise where the data lives.
package main

import data.lib

in_region(region, allowed) if {
	some r in allowed
	startswith(region, r)
}

deny_region contains msg if {
	some a in lib.assignments
	allowed := lib.regions_of(a.workload)
	count(allowed) > 0
	a.region != "global"
	not in_region(a.region, allowed)
	msg := {"msg": sprintf("workload %s is placed in %s, outside its regions %v", [a.workload, a.region, allowed]), "workload": a.workload}
}

warn_region contains msg if {
	some a in lib.assignments
	a.region == "global"
	allowed := lib.regions_of(a.workload)
	count(allowed) > 0
	lib.workload(a.workload).kind in {"database", "storage"}
	msg := {"msg": sprintf("workload %s keeps data on global offering %s; residency %v is not guaranteed", [a.workload, a.offering, allowed]), "workload": a.workload}
}
