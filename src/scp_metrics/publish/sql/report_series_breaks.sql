-- The declared series breaks (config/series_breaks), in the catalogue's order.
with breaks as (
    select *, rowid as position from ref_series_breaks
)

select * exclude (position) from breaks
order by position
