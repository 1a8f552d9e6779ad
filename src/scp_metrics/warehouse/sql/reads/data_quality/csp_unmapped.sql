-- CSP names in the CSP table that map to no area (config/area_name_lookup.csv).
select csp_name, count(*) as n, min(quarter_start) as first_quarter,
       max(quarter_start) as last_quarter
from stg_ho_csp_crime
where area_code is null
group by all
order by all
