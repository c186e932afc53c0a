# Who may read what: `access:` roles in karte.yml, `karte access` (src/access/, cli/commands/access.rs).
e701-principal = the principal of role `{ $role }` { $problem }
e701-principal-help = write an IAM role or user ARN (arn:aws:iam::123456789012:role/analysts), a SAML or IAM Identity Center principal ARN, or a 12-digit account id
e701-principal-empty = is empty
e701-principal-not-arn = `{ $principal }` is not an ARN or an account id
e701-read-rule = role `{ $role }`, read rule { $number }: { $message }
e006-access-no-table = no table `{ $name }` in the project
e006-access-no-table-note = tables are named `layer.model` (e.g. `gold.pmpm`); ephemeral models and tests are not tables
access-allowed-by = allowed by { $rule }
access-columns-left-out = columns left out: { $columns }
access-no-read-rules = role `{ $role }` has no read rules
access-no-rule-selects = no read rule of role `{ $role }` selects it:
e701-not-a-rule = `{ $word }` is not a rule
e701-not-a-rule-help = write `all`, or a map with one of `layer`, `folder`, `model`, `tag` (and `except_classes`)
e701-selects-nothing = selects nothing
e701-selectors = has { $count } selectors ({ $selectors })
e701-selectors-help = give each rule exactly one of `layer`, `folder`, `model`, `tag` or `all`; write two rules to read two things
e701-unknown-class = no column of the project has the class `{ $class }`
e701-unknown-class-help = classes come from `classification:` of declared columns; the project has: { $classes }
e701-unknown-class-help-none = classes come from `classification:` of declared columns; the project has: none
e701-unknown = no { $kind } `{ $name }` in the project
e701-unknown-help = { $kind }s of the project: { $names }
access-heading-athena = Access of `{ $project }`: { $roles ->
    [one] 1 role
   *[other] { $roles } roles
}, { $tables ->
    [one] 1 table
   *[other] { $tables } tables
} governed (applied as Lake Formation grants by `karte build` on this target)
access-heading-local = Access of `{ $project }`: { $roles ->
    [one] 1 role
   *[other] { $roles } roles
}, { $tables ->
    [one] 1 table
   *[other] { $tables } tables
} governed (target is local: nothing is enforced here; Athena targets apply it with Lake Formation)
access-reads-nothing = reads nothing
access-reads-every-column = every column
access-reads-columns = { $columns }, and any undeclared column
access-reads = reads: { $columns }
access-not = not:   { $columns }
access-cannot-read = cannot read: { $tables }
lf-the-table = the table
lf-all-columns = all columns
lf-all-columns-except = all columns except { $columns }
lf-columns = columns { $columns }
lf-permission-on = { $permissions } on { $columns }
e006-access-no-roles = the project has no `access:` roles in karte.yml
e006-access-no-roles-help = declare roles under `access:` (docs/governance.md)
e006-access-no-role = no role `{ $role }` under `access:`
e006-access-roles = roles: { $roles }
e006-access-check-needs-role = --check needs --role
e006-access-check-needs-role-help = karte access --role analysts --check gold.pmpm
access-check-yes = yes: `{ $role }` may read { $table }
access-check-no = no: `{ $role }` may not read { $table }
