module gosync/bench/go

go 1.19
