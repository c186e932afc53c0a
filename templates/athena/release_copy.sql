{#- One release of a data mart: the table's rows, tagged with the release name, written as one
    partition of the releases table. Inputs: relation (the mart), release (text). -#}
SELECT t.*, '{{ release }}' AS release
FROM {{ relation }} AS t
