//! A dense scalar volume on a [`Geometry`].

use crate::Geometry;

/// Voxel values of type `T` laid out as [`Geometry::index`] says (`i` fastest).
#[derive(Debug, Clone, PartialEq)]
pub struct Volume<T> {
    pub geometry: Geometry,
    pub data: Vec<T>,
}

impl<T: Copy> Volume<T> {
    /// A volume with every voxel set to `value`.
    pub fn filled(geometry: Geometry, value: T) -> Self {
        let data = vec![value; geometry.len()];
        Self { geometry, data }
    }

    /// Value at voxel `[i, j, k]`.
    #[inline]
    pub fn get(&self, ijk: [usize; 3]) -> T {
        self.data[self.geometry.index(ijk)]
    }

    /// Sets the value at voxel `[i, j, k]`.
    #[inline]
    pub fn set(&mut self, ijk: [usize; 3], value: T) {
        let n = self.geometry.index(ijk);
        self.data[n] = value;
    }

    /// The voxels of axial slice `k`.
    pub fn slice(&self, k: usize) -> &[T] {
        let n = self.geometry.slice_len();
        &self.data[k * n..(k + 1) * n]
    }
}
