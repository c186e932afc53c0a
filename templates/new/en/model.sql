-- {name}: say here what this model holds (e.g. one row per person and month)
--
-- Read tables as `layer.model` (e.g. from silver.visits).
-- Then check its rows with `karte show {name}`, and run
-- `karte new model {path}` again to list its columns in {yml}.
select
    1 as example_column
