# A saved manifest (production's state): --state, --defer, `karte diff` (src/state/, cli/commands/diff.rs).
e305-save-help = save production's state with `karte compile --target prod` and keep a copy of its target/manifest.json and target/compiled/ (see docs/ci.md)
e305-no-manifest-in = `{ $dir }` holds no manifest.json
e305-manifest-missing = the saved manifest `{ $path }` does not exist
e305-cannot-read = cannot read the saved manifest `{ $path }`: { $error }
e305-other-project = `{ $manifest }` is the manifest of project `{ $saved }`; this project is `{ $project }`
e305-other-project-help = give --state the manifest this project's production build compiled
e305-not-json = `{ $manifest }` is not a karte manifest: { $error }
e305-dbt-manifest = `{ $manifest }` is a dbt manifest, not karte's
e305-no-version = `{ $manifest }` is not a karte manifest: it has no `metadata.manifest_version`
e305-other-format = `{ $manifest }` is a manifest of format { $format } (written by karte { $by }); this karte ({ $version }) compares with format { $expected }
e305-other-format-help = compile production again with this karte (`karte compile --target prod`) and save that manifest
e305-s3 = cannot read the saved state from S3: { $error }
e305-s3-help = check the URI and the AWS credentials and region (AWS_REGION, or the target's `region`)
e305-no-s3 = this karte was built without the Athena engine, so it cannot read S3
e305-no-s3-help = copy the saved state to a local directory (`aws s3 cp --recursive …`) and give that to --state
e305-diff-needs-state = karte diff compares with a saved manifest: give --state PATH
e305-defer-needs-state = --defer reads unselected parents from a saved manifest, but no --state was given
e305-defer-needs-state-help = add --state PATH: the directory holding production's manifest.json
e305-defer-other-engine = `{ $manifest }` was compiled for target `{ $saved_target }` on another engine than target `{ $target }`: its tables cannot be read from here
e305-defer-other-engine-help = defer to a manifest compiled for a target of the same type (an Athena CI target reads an Athena production)
w304-cannot-defer = `{ $name }` is read by { $readers } but is not selected, not built on target `{ $target }` and not in the saved manifest
w304-cannot-defer-note = it is probably new in this change: there is nothing to defer to
w304-cannot-defer-help = select it too, e.g. `--select +{ $reader }` or `state:new+`
diff-compiled-sql-missing = the saved compiled SQL is not at { $location }: keep target/compiled/ with manifest.json
diff-plan-unknown = the plan of the saved version is not known (its compiled SQL is missing)
diff-cannot-plan = cannot plan it: { $error }
diff-removed-note = no longer in the project: karte does not drop { $relation }; drop it by hand if it should go
diff-heading = Compared with { $manifest } (project `{ $project }`, target `{ $saved_target }`, karte { $karte }), compiled for target `{ $target }`, planned against the { $catalog }: { $new } new, { $modified } modified, { $removed } removed.
diff-against-catalog-state = catalog state
diff-against-saved-manifest = saved manifest
diff-nothing-changed = Nothing changed.
diff-status = { $status }
diff-compiled-sql = compiled SQL:
diff-compiled-sql-unchanged = compiled SQL: unchanged
diff-plan-unchanged = plan: unchanged ({ $step })
diff-plan = plan:
diff-new-destructive-step = new step that may destroy data: { $step }
diff-destructive-summary = { $count ->
    [one] 1 new step that may destroy data: review them before merging.
   *[other] { $count } new steps that may destroy data: review them before merging.
}
e305-diff-unknown-target = the saved manifest was compiled for target `{ $saved_target }`, which karte.yml does not define: comparing with target `{ $target }`, so table names may differ
e305-diff-unknown-target-help = give --target the target production is built on
e000-cannot-serialise-diff = cannot serialise the diff: { $error }
