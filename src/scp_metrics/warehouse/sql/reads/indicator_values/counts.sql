-- Numerators, denominators and populations of every indicator, area and period. Unordered on
-- purpose: compute_indicator_values orders the rows itself on keys unique in this table (sorting
-- here cost ~1.5 s at 721k rows and changed nothing).
select * from int_indicator_counts
