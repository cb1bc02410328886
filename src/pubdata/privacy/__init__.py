"""Privacy computing (隐私计算): differentially private answers and their budgets; later PSI, labelled lookup
and homomorphic scoring."""
