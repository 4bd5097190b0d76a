//! Statistics for timing checks: the robust centre of noisy samples and its uncertainty, and the growth
//! exponent of a run time over input sizes. Pure functions over numbers; no I/O.

/// The median of `values` (which need not be sorted); `None` when empty.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// The `q` quantile (0 to 1) by linear interpolation between order statistics.
pub(crate) fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let weight = position - low as f64;
    Some(sorted[low] * (1.0 - weight) + sorted[high] * weight)
}

/// Half the width of an approximate 95% confidence interval of the median of `values`
/// (McGill, Tukey and Larsen's notch: 1.57 IQR / sqrt(n)): how far the true median may lie
/// from the measured one. Robust like the median itself; `None` below three values.
pub(crate) fn median_uncertainty(values: &[f64]) -> Option<f64> {
    let finite = values.iter().filter(|v| v.is_finite()).count();
    if finite < 3 {
        return None;
    }
    let iqr = quantile(values, 0.75)? - quantile(values, 0.25)?;
    Some(1.57 * iqr / (finite as f64).sqrt())
}

/// The slope of the least-squares line through `(ln x, ln y)`: the `k` in `y ~ x^k`.
/// `None` with fewer than two distinct sizes.
pub(crate) fn growth_exponent(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    let n = logs.len() as f64;
    if logs.len() < 2 {
        return None;
    }
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_quartiles_interpolate() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), Some(2.0));
    }

    #[test]
    fn the_median_and_its_uncertainty_ignore_a_few_outliers() {
        let samples = [1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 9.0];
        assert!(median_uncertainty(&samples).unwrap() < 0.02);
        assert!((median(&samples).unwrap() - 1.0).abs() < 0.01);
    }

    #[test]
    fn the_uncertainty_shrinks_with_more_samples() {
        let few = [0.9, 1.1, 1.0, 0.95, 1.05];
        let many: Vec<f64> = few.iter().cycle().take(20).copied().collect();
        let (few, many) = (
            median_uncertainty(&few).unwrap(),
            median_uncertainty(&many).unwrap(),
        );
        assert!((many - few / 2.0).abs() < 1e-9, "{few} {many}");
        assert_eq!(median_uncertainty(&[1.0, 2.0]), None);
    }

    #[test]
    fn growth_exponent_recovers_power_laws() {
        let linear: Vec<(f64, f64)> = [1000.0, 2000.0, 4000.0, 8000.0]
            .iter()
            .map(|&n| (n, 3e-6 * n))
            .collect();
        let quadratic: Vec<(f64, f64)> = linear.iter().map(|&(n, _)| (n, 1e-9 * n * n)).collect();
        assert!((growth_exponent(&linear).unwrap() - 1.0).abs() < 1e-9);
        assert!((growth_exponent(&quadratic).unwrap() - 2.0).abs() < 1e-9);
        assert_eq!(growth_exponent(&[(10.0, 1.0)]), None);
    }
}
