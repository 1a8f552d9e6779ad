-- The level shifts detected in recorded series, in the order the mart lists them.
with breaks as (
    select *, rowid as position from mart_recording_breaks
)

select * exclude (position) from breaks
order by position
