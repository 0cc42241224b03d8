# Helpers shared by the starter policies. Input (helios qc): manifest, manifest_file, plan, placement,
# catalog (offering id -> offering), quota (ledger windows). See docs/policy.md.
package lib

workloads := object.get(input, ["manifest", "spec", "workloads"], [])

assignments := object.get(input, ["placement", "assignments"], [])

# workload name -> workload, built once per evaluation (lookups stay cheap on large stacks)
workload_by_name := {w.name: w | some w in workloads}

workload(name) := workload_by_name[name]

# The regions a workload may live in: its own, else the stack's.
regions_of(name) := r if {
	r := workload(name).regions
} else := object.get(input, ["manifest", "spec", "regions"], [])

production if input.manifest.metadata.environment == "production"

production if input.manifest.metadata.labels.environment == "production"
