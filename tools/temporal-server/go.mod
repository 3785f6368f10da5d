module tourniquet.local/tools/temporal-server

go 1.26.0

require go.temporal.io/server v1.29.1
