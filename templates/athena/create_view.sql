{#- Inputs: relation (fully-qualified name), sql (the model's compiled query). -#}
CREATE OR REPLACE VIEW {{ relation }} AS
{{ sql }}
