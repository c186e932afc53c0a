-- レセプトの生データ (raw receipt records, one row per line)
select
    file_name,
    line_no,
    record_type,
    split(fields, ',') as fields
from raw.uke_lines
