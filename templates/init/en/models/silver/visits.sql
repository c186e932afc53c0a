-- Outpatient visits (one row per visit)
-- Reads the sample data seeds/sample_visits.csv. Once real data is loaded, replace
-- seeds.sample_visits below with its table (e.g. bronze.visits).
select
    visit_id,
    patient_code,
    visit_date,
    department
from seeds.sample_visits
