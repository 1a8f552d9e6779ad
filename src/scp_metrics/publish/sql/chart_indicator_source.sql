-- The raw table an indicator is counted from, and its measure (a rate also rests on population).
with indicators as (
    select indicator_id, source_table, measure from ref_indicators
)

select source_table, measure from indicators
where indicator_id = $indicator_id
