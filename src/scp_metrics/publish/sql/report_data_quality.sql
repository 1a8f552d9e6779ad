-- Data-quality findings in the order the mart lists them (by check, then what they concern).
with findings as (
    select *, rowid as position from mart_data_quality
)

select * exclude (position) from findings
order by position
