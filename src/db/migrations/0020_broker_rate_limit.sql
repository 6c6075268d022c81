-- The broker's call budget, shared by every worker process: Breeze allows 10 order actions a
-- second combined (SEBI/NSE threshold for unregistered algos), 100 calls a minute and 5000 a day
-- per AppKey (docs/breeze-api.md#rate-limits). One row per budget; every admission happens under the
-- row lock in broker_take_token(), so two workers can never both take the last slot.
--
-- Sliding logs, not a refilling bucket: a bucket of 10 refilled at 10/s admits 20 within one
-- second (a full bucket, then its refill), and the broker counts per second. The logs keep the
-- admission times of the last second and minute; the day is a counter per IST date (the reset at
-- IST midnight is an assumption, docs/breeze-api.md#unconfirmed).

create table broker_rate_limits (
  key text primary key,
  write_log timestamptz[] not null default '{}',
  call_log timestamptz[] not null default '{}',
  day date not null default ((now() at time zone 'Asia/Kolkata')::date),
  day_count int not null default 0 check (day_count >= 0)
);

-- Take one call from the budget (and one order action when p_write), or say how long to wait.
-- Times come from the database clock, so workers with skewed clocks still share one timeline.
create function broker_take_token(p_key text, p_write boolean, p_per_second int, p_per_minute int, p_per_day int, p_second_ms int)
returns table (admitted boolean, wait_ms int, reason text, taken_at timestamptz, second_left int, minute_left int, day_left int)
language plpgsql as $$
declare
  v_now timestamptz;
  v_today date;
  v_row broker_rate_limits;
  v_writes timestamptz[];
  v_calls timestamptz[];
  v_day_count int;
  v_wait interval := interval '0';
  v_reason text;
  v_window interval := p_second_ms * interval '1 millisecond';
begin
  insert into broker_rate_limits (key) values (p_key) on conflict (key) do nothing;
  select * into v_row from broker_rate_limits where key = p_key for update;
  -- read the clock after the lock: admissions are then ordered in time as they are in the log
  v_now := clock_timestamp();
  v_today := (v_now at time zone 'Asia/Kolkata')::date;
  v_writes := array(select t from unnest(v_row.write_log) t where t > v_now - v_window order by t);
  v_calls := array(select t from unnest(v_row.call_log) t where t > v_now - interval '1 minute' order by t);
  v_day_count := case when v_row.day = v_today then v_row.day_count else 0 end;

  if v_day_count >= p_per_day then
    v_reason := 'day';
    v_wait := ((v_today + 1)::timestamp at time zone 'Asia/Kolkata') - v_now;
  else
    if cardinality(v_calls) >= p_per_minute then
      v_reason := 'minute';
      v_wait := v_calls[cardinality(v_calls) - p_per_minute + 1] + interval '1 minute' - v_now;
    end if;
    if p_write and cardinality(v_writes) >= p_per_second
       and v_writes[cardinality(v_writes) - p_per_second + 1] + v_window - v_now > v_wait then
      v_reason := 'second';
      v_wait := v_writes[cardinality(v_writes) - p_per_second + 1] + v_window - v_now;
    end if;
  end if;

  if v_reason is not null then
    update broker_rate_limits set write_log = v_writes, call_log = v_calls, day = v_today, day_count = v_day_count where key = p_key;
    return query select false, greatest(1, ceil(extract(epoch from v_wait) * 1000)::int), v_reason, null::timestamptz,
      greatest(0, p_per_second - cardinality(v_writes)), greatest(0, p_per_minute - cardinality(v_calls)), greatest(0, p_per_day - v_day_count);
    return;
  end if;

  v_calls := v_calls || v_now;
  if p_write then v_writes := v_writes || v_now; end if;
  v_day_count := v_day_count + 1;
  update broker_rate_limits set write_log = v_writes, call_log = v_calls, day = v_today, day_count = v_day_count where key = p_key;
  return query select true, 0, null::text, v_now,
    greatest(0, p_per_second - cardinality(v_writes)), greatest(0, p_per_minute - cardinality(v_calls)), greatest(0, p_per_day - v_day_count);
end;
$$;
