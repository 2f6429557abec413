module miroir.local/helm-render

go 1.19
