{#- Inputs: relation, select. -#}
INSERT INTO {{ relation }}
{{ select }}
