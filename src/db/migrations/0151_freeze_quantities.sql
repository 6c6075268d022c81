-- Freeze quantities of the index derivatives the 0006 seed left unknown, as NSE's "Quantity freeze
-- limits for indices" circular effective 1 Feb 2026 publishes them (docs/indian-market.md#freeze-quantities):
-- FINNIFTY 1,800, MIDCPNIFTY 2,800, NIFTYNXT50 600. Orders above them go out as slices.
update instrument_rules set freeze_quantity = 1800, source = source || '; NSE qty freeze list (1 Feb 2026)' where exchange = 'NFO' and symbol = 'FINNIFTY' and freeze_quantity is null;
update instrument_rules set freeze_quantity = 2800, source = source || '; NSE qty freeze list (1 Feb 2026)' where exchange = 'NFO' and symbol = 'MIDCPNIFTY' and freeze_quantity is null;
update instrument_rules set freeze_quantity = 600, source = source || '; NSE qty freeze list (1 Feb 2026)' where exchange = 'NFO' and symbol = 'NIFTYNXT50' and freeze_quantity is null;
